//! Parsers for the values of command-line flags. Each returns a one-line message on a bad value;
//! clap turns it into a usage error (exit code 2).

use audiostream::Options;

/// Output containers the writer makes.
pub const CONTAINERS: &[&str] = &["wav", "flac", "mp3", "ogg", "opus"];

/// A coded sample format for WAV/FLAC output (`--sample-format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SampleFmt {
    /// 16-bit integers.
    S16,
    /// 24-bit integers.
    S24,
    /// 32-bit integers (WAV only).
    S32,
    /// 32-bit floats (WAV only).
    F32,
}

impl SampleFmt {
    /// The writer's `encoder_format` name.
    pub fn encoder_format(self) -> &'static str {
        match self {
            SampleFmt::S16 => "s16",
            SampleFmt::S24 => "s24",
            SampleFmt::S32 => "s32",
            SampleFmt::F32 => "flt",
        }
    }
}

/// A positive number with an optional `k`/`M` suffix (×1000, ×1000000), e.g. `128k`, `1.5M`,
/// `44.1k`, `96000`; it must come out a whole number.
fn scaled_integer(s: &str, what: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, scale) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1e3),
        Some((i, 'm' | 'M')) => (&t[..i], 1e6),
        _ => (t, 1.0),
    };
    let bad = || format!("{s:?} is not {what}");
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(bad());
    }
    let v: f64 = num.parse().map_err(|_| bad())?;
    let v = v * scale;
    if !v.is_finite() || v < 0.5 {
        return Err(format!("{s:?} is not {what}: it must be positive"));
    }
    let r = v.round();
    if (v - r).abs() > 1e-6 * r.max(1.0) {
        return Err(format!("{s:?} is not a whole number ({v})"));
    }
    if r > f64::from(u32::MAX) {
        return Err(format!("{s:?} is too large"));
    }
    Ok(r as u64)
}

/// `--bitrate`: bits per second, `128k`, `128000`, `1.5M`.
pub fn parse_bitrate(s: &str) -> Result<u32, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("bps")
        .or_else(|| t.strip_suffix("b/s"))
        .unwrap_or(t);
    scaled_integer(t, "a bit rate (bits per second, e.g. 128k, 128000, 1.5M)").map(|v| v as u32)
}

/// `--rate`: a sample rate in Hz, `48000` or `48k` / `44.1k`.
pub fn parse_rate(s: &str) -> Result<u32, String> {
    let t = s.trim();
    let t = t.strip_suffix("Hz").unwrap_or(t).trim_end();
    scaled_integer(t, "a sample rate in Hz (e.g. 48000, 44.1k)").map(|v| v as u32)
}

/// `--channels`: 1 to 1024.
pub fn parse_channels(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=audiostream::dsp::MAX_CHANNELS).contains(&n) => Ok(n),
        _ => Err(format!(
            "{s:?} is not a channel count (1 to {})",
            audiostream::dsp::MAX_CHANNELS
        )),
    }
}

/// `--quality`: a finite number (the encoder checks its range: MP3 VBR 0..9, Vorbis -1..10).
pub fn parse_quality(s: &str) -> Result<f32, String> {
    match s.trim().parse::<f32>() {
        Ok(q) if q.is_finite() => Ok(q),
        _ => Err(format!(
            "{s:?} is not a number (MP3 VBR quality: 0 best .. 9 smallest; Vorbis: -1 .. 10 best)"
        )),
    }
}

/// `--start`, `--duration`: seconds (`90`, `1.5`) or `[[HH:]MM:]SS[.frac]` (`1:30`,
/// `0:01:30.250`), not negative.
pub fn parse_time(s: &str) -> Result<f64, String> {
    let bad =
        || format!("{s:?} is not a time (seconds like 12.5, or [[HH:]MM:]SS[.frac] like 1:30)");
    let t = s.trim();
    let t = t.strip_suffix('s').unwrap_or(t);
    if t.starts_with('-') {
        return Err(format!("{s:?}: a time must not be negative"));
    }
    let parts: Vec<&str> = t.split(':').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(bad());
    }
    let mut secs = 0.0;
    for (i, p) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if !p.chars().all(|c| c.is_ascii_digit() || (last && c == '.')) {
            return Err(bad());
        }
        let v: f64 = p.parse().map_err(|_| bad())?;
        if !last && i > 0 && v >= 60.0 {
            return Err(bad());
        }
        secs = secs * 60.0 + v;
    }
    if parts.len() > 1 && parts[parts.len() - 1].parse::<f64>().unwrap_or(60.0) >= 60.0 {
        return Err(bad());
    }
    if secs.is_finite() {
        Ok(secs)
    } else {
        Err(bad())
    }
}

/// `--effect`: an effect chain in SoX's syntax.
pub fn parse_effect(s: &str) -> Result<audiostream::AudioEffector, String> {
    s.parse().map_err(|e: audiostream::Error| e.to_string())
}

/// `--to`: an output container (case-insensitive; `wave` means `wav`, `oga` means `ogg`).
pub fn parse_container(s: &str) -> Result<String, String> {
    let t = s.trim().to_ascii_lowercase();
    let t = match t.as_str() {
        "wave" => "wav".to_string(),
        "oga" => "ogg".to_string(),
        _ => t,
    };
    if CONTAINERS.contains(&t.as_str()) {
        Ok(t)
    } else {
        Err(format!(
            "{s:?} is not an output format; we write {}",
            CONTAINERS.join(", ")
        ))
    }
}

/// The container a file name's extension names, if we write it.
pub fn container_of_path(path: &str) -> Option<String> {
    let ext = std::path::Path::new(path).extension()?.to_str()?;
    parse_container(ext).ok()
}

/// `--shard i/n`: this process takes the entries whose 0-based index `k` (counting entries,
/// not blank or comment lines) has `k % n == i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// `i`, below `count`.
    pub index: usize,
    /// `n`, at least 1.
    pub count: usize,
}

impl Shard {
    /// The suffix of the report and output manifest names: `.shard-3-of-16`.
    pub fn suffix(&self) -> String {
        format!(".shard-{}-of-{}", self.index, self.count)
    }
}

/// The most shards a list is cut into.
pub const MAX_SHARDS: usize = 1_000_000;

/// The most worker threads `--jobs` takes.
pub const MAX_JOBS: usize = 256;

/// `--shard I/N`: the 0-based shard `I` of `N` (`0/16` .. `15/16`).
pub fn parse_shard(s: &str) -> Result<Shard, String> {
    let max = MAX_SHARDS;
    let bad = || {
        format!("{s:?} is not a shard: give I/N, 0-based (0/16 .. 15/16), with N from 1 to {max}")
    };
    let (i, n) = s.trim().split_once('/').ok_or_else(bad)?;
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    if !digits(i.trim()) || !digits(n.trim()) {
        return Err(bad());
    }
    let (index, count): (usize, usize) = match (i.trim().parse(), n.trim().parse()) {
        (Ok(i), Ok(n)) => (i, n),
        _ => return Err(bad()),
    };
    if count == 0 || count > max {
        return Err(format!("{s:?}: the shard count must be from 1 to {max}"));
    }
    if index >= count {
        return Err(format!(
            "{s:?}: the shard index is 0-based and must be below the count (0/{count} .. {}/{count})",
            count - 1
        ));
    }
    Ok(Shard { index, count })
}

/// `--jobs N`: worker threads, 1 to [`MAX_JOBS`].
pub fn parse_jobs(s: &str) -> Result<usize, String> {
    let max = MAX_JOBS;
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("{s:?} is not a number of jobs (1 to {max})")),
    }
}

/// `-o KEY=VALUE` pairs (input format options).
pub fn parse_options(pairs: &[String]) -> Result<Options, String> {
    pairs
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| format!("option {p:?} is not KEY=VALUE"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_rates() {
        assert_eq!(parse_bitrate("128k"), Ok(128_000));
        assert_eq!(parse_bitrate("128K"), Ok(128_000));
        assert_eq!(parse_bitrate("128000"), Ok(128_000));
        assert_eq!(parse_bitrate("1.5M"), Ok(1_500_000));
        assert_eq!(parse_bitrate("96kbps"), Ok(96_000));
        for bad in [
            "abc", "", "k", "-128k", "0", "1.0005k", "1e3", "12x", "9999M",
        ] {
            assert!(parse_bitrate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rates_and_channels() {
        assert_eq!(parse_rate("44.1k"), Ok(44_100));
        assert_eq!(parse_rate("48000"), Ok(48_000));
        assert_eq!(parse_rate("22050Hz"), Ok(22_050));
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("-1").is_err());
        assert!(parse_rate("44100.5").is_err());
        assert_eq!(parse_channels("2"), Ok(2));
        assert!(parse_channels("0").is_err());
        assert!(parse_channels("two").is_err());
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("1.5"), Ok(1.5));
        assert_eq!(parse_time("90"), Ok(90.0));
        assert_eq!(parse_time("2s"), Ok(2.0));
        assert_eq!(parse_time("1:30"), Ok(90.0));
        assert_eq!(parse_time("1:02:03.5"), Ok(3723.5));
        assert_eq!(parse_time("0"), Ok(0.0));
        for bad in [
            "-1", "abc", "1:60", "1::2", "", "nan", "inf", "1:2:3:4", "1e3",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_and_jobs() {
        use super::Shard;
        assert_eq!(parse_shard("0/2"), Ok(Shard { index: 0, count: 2 }));
        assert_eq!(
            parse_shard("15/16"),
            Ok(Shard {
                index: 15,
                count: 16
            })
        );
        assert_eq!(parse_shard("0/1"), Ok(Shard { index: 0, count: 1 }));
        for (bad, says) in [
            ("2/2", "below the count"),
            ("0/0", "from 1 to"),
            ("1", "not a shard"),
            ("-1/2", "not a shard"),
            ("a/b", "not a shard"),
            ("1/2/3", "not a shard"),
            ("", "not a shard"),
        ] {
            let e = parse_shard(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
        assert_eq!(parse_jobs("4"), Ok(4));
        assert!(parse_jobs("0").is_err());
        assert!(parse_jobs("100000").is_err());
    }

    #[test]
    fn containers() {
        assert_eq!(parse_container("WAV"), Ok("wav".into()));
        assert_eq!(parse_container("wave"), Ok("wav".into()));
        assert_eq!(parse_container("oga"), Ok("ogg".into()));
        assert_eq!(parse_container("opus"), Ok("opus".into()));
        assert!(parse_container("m4a").is_err());
        assert_eq!(container_of_path("a/b.Flac"), Some("flac".into()));
        assert_eq!(container_of_path("a/b.ogg"), Some("ogg".into()));
        assert_eq!(container_of_path("a/b.m4a"), None);
        assert_eq!(container_of_path("-"), None);
    }
}
