//! Finding devices by name, describing them, and choosing a stream configuration a device
//! accepts (channels, rate, sample format).

use crate::{DeviceError, DeviceErrorKind, Error, Result};
use cpal::traits::{DeviceTrait, HostTrait};
use cpal::{SampleFormat, SupportedBufferSize, SupportedStreamConfigRange};

/// Which side of a device a stream uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Input,
    Output,
}

impl Direction {
    fn noun(self) -> &'static str {
        match self {
            Direction::Input => "capture",
            Direction::Output => "playback",
        }
    }
}

/// Sample formats we convert to and from `f32`, best first: float needs no conversion, then
/// the widest integers.
pub(crate) const FORMAT_PREFERENCE: &[SampleFormat] = &[
    SampleFormat::F32,
    SampleFormat::I32,
    SampleFormat::I16,
    SampleFormat::F64,
    SampleFormat::U32,
    SampleFormat::U16,
    SampleFormat::I8,
    SampleFormat::U8,
];

/// The host's name as users see it ("ALSA", "CoreAudio", "WASAPI", ...).
pub(crate) fn host_name(host: &cpal::Host) -> &'static str {
    host.id().name()
}

/// The name a device is found by: the host's id for it (ALSA: the PCM name such as
/// `default` or `hw:CARD=PCH,DEV=0`), else its description.
pub(crate) fn device_name(device: &cpal::Device) -> String {
    match device.id() {
        Ok(id) => id.id().to_string(),
        Err(_) => device
            .description()
            .map(|d| d.name().to_string())
            .unwrap_or_else(|_| "?".into()),
    }
}

fn supports(device: &cpal::Device, dir: Direction) -> bool {
    match dir {
        Direction::Input => device.supports_input(),
        Direction::Output => device.supports_output(),
    }
}

/// `"default", "hw:CARD=PCH,DEV=0" (HDA Intel PCH), ...` for the devices of one direction.
pub(crate) fn device_list(host: &cpal::Host, dir: Direction) -> String {
    let mut names = vec!["\"default\"".to_string()];
    if let Ok(devices) = host.devices() {
        for d in devices.filter(|d| supports(d, dir)) {
            let name = device_name(&d);
            if name == "default" {
                continue;
            }
            let desc = d
                .description()
                .map(|x| x.name().to_string())
                .unwrap_or_default();
            if desc.is_empty() || desc == name {
                names.push(format!("{name:?}"));
            } else {
                names.push(format!("{name:?} ({desc})"));
            }
        }
    }
    names.join(", ")
}

/// Finds a device by name (`default`, empty, or a name from [`device_list`]: the host's id
/// for it, its full id `host:id`, or its description). A name that matches nothing is an
/// [`Error::Device`] listing the devices that exist.
pub(crate) fn find_device(host: &cpal::Host, name: &str, dir: Direction) -> Result<cpal::Device> {
    let name = name.trim();
    if name.is_empty() || name == "default" {
        let device = match dir {
            Direction::Input => host.default_input_device(),
            Direction::Output => host.default_output_device(),
        };
        return device.ok_or_else(|| {
            Error::device(
                DeviceErrorKind::NotFound,
                format!(
                    "the {} host has no default {} device; devices: {}",
                    host_name(host),
                    dir.noun(),
                    device_list(host, dir)
                ),
            )
        });
    }
    let devices = host.devices().map_err(|e| {
        super::device_error(
            format!("listing the devices of the {} host", host_name(host)),
            e,
        )
    })?;
    let mut wrong_direction = false;
    for d in devices {
        let id = d.id().ok();
        let matches = id
            .as_ref()
            .is_some_and(|i| i.id() == name || i.to_string() == name)
            || d.description().is_ok_and(|x| x.name() == name);
        if matches {
            if supports(&d, dir) {
                return Ok(d);
            }
            wrong_direction = true;
        }
    }
    let (kind, why) = if wrong_direction {
        (
            DeviceErrorKind::Unsupported,
            format!("device {name:?} has no {} side", dir.noun()),
        )
    } else {
        (
            DeviceErrorKind::NotFound,
            format!("no {} device named {name:?}", dir.noun()),
        )
    };
    Err(Error::device(
        kind,
        format!(
            "{why} on the {} host; {} devices: {}",
            host_name(host),
            dir.noun(),
            device_list(host, dir)
        ),
    ))
}

/// A device that cannot be opened. When it is the default device (no sound card, no sound
/// server), an [`Error::Device`] naming the host and the devices that exist.
pub(crate) fn open_error(
    host: &cpal::Host,
    name: &str,
    label: &str,
    dir: Direction,
    e: cpal::Error,
) -> Error {
    let name = name.trim();
    let kind = super::device_kind(&e);
    let message = if name.is_empty() || name == "default" {
        format!(
            "no usable {} device on the {} host: the default device ({label:?}) cannot be \
             opened: {e}; devices found: {}",
            dir.noun(),
            host_name(host),
            device_list(host, dir)
        )
    } else {
        format!(
            "{} device {label:?} ({} host) cannot be opened: {e}",
            dir.noun(),
            host_name(host)
        )
    };
    DeviceError::new(kind, message).with_source(e).into()
}

/// What a device's configuration ranges allow, in words: `2 channels at 1-4294967295 Hz
/// (f32, i32, i16)`.
pub(crate) fn describe_ranges(ranges: &[SupportedStreamConfigRange]) -> String {
    let usable: Vec<&SupportedStreamConfigRange> = ranges
        .iter()
        .filter(|r| FORMAT_PREFERENCE.contains(&r.sample_format()))
        .collect();
    if usable.is_empty() {
        return "no sample format we can convert (f32, f64, i8-i32, u8-u32)".into();
    }
    let mut channels: Vec<u16> = usable.iter().map(|r| r.channels()).collect();
    channels.sort_unstable();
    channels.dedup();
    let mut rates: Vec<(u32, u32)> = usable
        .iter()
        .map(|r| (r.min_sample_rate(), r.max_sample_rate()))
        .collect();
    rates.sort_unstable();
    rates.dedup();
    let mut formats: Vec<SampleFormat> = usable.iter().map(|r| r.sample_format()).collect();
    formats.sort_by_key(|f| FORMAT_PREFERENCE.iter().position(|p| p == f));
    formats.dedup();
    let rates: Vec<String> = rates
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    let formats: Vec<String> = formats.iter().map(|f| f.to_string()).collect();
    format!(
        "{} channels at {} Hz ({})",
        count_list(&channels),
        rates.join(", "),
        formats.join(", ")
    )
}

/// `1-64` for a contiguous list, `1, 2, 6` otherwise.
fn count_list(counts: &[u16]) -> String {
    match (counts.first(), counts.last()) {
        (Some(&a), Some(&b)) if counts.len() > 2 && usize::from(b - a) + 1 == counts.len() => {
            format!("{a}-{b}")
        }
        _ => counts
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A configuration chosen for a stream.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Choice {
    pub(crate) channels: u16,
    pub(crate) sample_rate: u32,
    pub(crate) format: SampleFormat,
    pub(crate) buffer: SupportedBufferSize,
}

/// What a stream asks of a device.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Want {
    pub(crate) channels: Option<usize>,
    pub(crate) sample_rate: Option<u32>,
    /// The channel count must be exactly `channels` (else the nearest one a mixing rule
    /// reaches is taken).
    pub(crate) strict_channels: bool,
    /// The rate must be exactly `sample_rate` (else the nearest one the device has).
    pub(crate) strict_rate: bool,
}

/// The channel count to play `n` channels on, given the counts a device takes: `n` itself, or
/// more (up-mix: [`Remixer`](crate::dsp::Remixer) copies input `j mod n` to output `j`), or a
/// standard down-mix (stereo → mono, 5.1/7.1 → stereo or mono). Other down-mixes would fold
/// channels whose layout we don't know: an [`Error::InvalidArgument`].
fn map_channels(n: usize, counts: &[u16], device: &str) -> Result<u16> {
    if let Some(&c) = counts.iter().find(|&&c| usize::from(c) == n) {
        return Ok(c);
    }
    if let Some(&c) = counts.iter().filter(|&&c| usize::from(c) > n).min() {
        return Ok(c);
    }
    let has = |c: u16| counts.contains(&c);
    let target = match n {
        2 if has(1) => Some(1),
        6 | 8 if has(2) => Some(2),
        6 | 8 if has(1) => Some(1),
        _ => None,
    };
    target.ok_or_else(|| {
        Error::invalid_argument(
            "channels",
            n,
            format!(
                "at most {} for device {device:?} (it takes {}), or 2, 6 (5.1) or 8 (7.1), which \
                 have down-mix rules",
                counts.iter().max().copied().unwrap_or(0),
                count_list(counts)
            ),
        )
    })
}

/// Chooses channels, rate and sample format among `ranges` (see [`Want`]). Without a wish
/// the device's preferred configuration is taken (cpal's heuristic: most channels, float,
/// 48 or 44.1 kHz).
pub(crate) fn choose(
    ranges: &[SupportedStreamConfigRange],
    want: Want,
    device: &str,
) -> Result<Choice> {
    let usable: Vec<&SupportedStreamConfigRange> = ranges
        .iter()
        .filter(|r| FORMAT_PREFERENCE.contains(&r.sample_format()))
        .collect();
    let best = usable
        .iter()
        .copied()
        .max_by(|a, b| a.cmp_default_heuristics(b))
        .ok_or_else(|| {
            Error::device(
                DeviceErrorKind::Unsupported,
                format!("device {device:?} offers {}", describe_ranges(ranges)),
            )
        })?;
    let mut counts: Vec<u16> = usable.iter().map(|r| r.channels()).collect();
    counts.sort_unstable();
    counts.dedup();
    let channels = match want.channels {
        Some(n) if counts.iter().any(|&c| usize::from(c) == n) => n as u16,
        Some(n) if want.strict_channels => {
            return Err(Error::invalid_argument(
                "channels",
                n,
                format!("for device {device:?}: {}", describe_ranges(ranges)),
            ))
        }
        Some(n) => map_channels(n, &counts, device)?,
        None => best.channels(),
    };
    let with_channels: Vec<&SupportedStreamConfigRange> = usable
        .iter()
        .copied()
        .filter(|r| r.channels() == channels)
        .collect();
    let contains = |rate: u32| with_channels.iter().any(|r| r.contains_rate(rate));
    let sample_rate = match want.sample_rate {
        Some(r) if contains(r) => r,
        Some(r) if want.strict_rate => {
            return Err(Error::invalid_argument(
                "sample_rate",
                r,
                format!(
                    "for device {device:?} with {channels} channels: {}",
                    describe_ranges(ranges)
                ),
            ))
        }
        // The nearest rate the device has (ties: the higher one, to lose nothing).
        Some(r) => with_channels
            .iter()
            .map(|x| r.clamp(x.min_sample_rate(), x.max_sample_rate()))
            .min_by_key(|&x| (x.abs_diff(r), std::cmp::Reverse(x)))
            .unwrap_or(r),
        None => [48_000, 44_100]
            .into_iter()
            .find(|&r| contains(r))
            .or_else(|| with_channels.iter().map(|r| r.max_sample_rate()).max())
            .unwrap_or(48_000),
    };
    let range = FORMAT_PREFERENCE
        .iter()
        .find_map(|f| {
            with_channels
                .iter()
                .find(|r| r.sample_format() == *f && r.contains_rate(sample_rate))
        })
        .ok_or_else(|| {
            Error::device(
                DeviceErrorKind::Unsupported,
                format!(
                    "device {device:?} has no configuration for {channels} channels at \
                 {sample_rate} Hz; it offers {}",
                    describe_ranges(ranges)
                ),
            )
        })?;
    Ok(Choice {
        channels,
        sample_rate,
        format: range.sample_format(),
        buffer: *range.buffer_size(),
    })
}

/// Checks a requested buffer size (frames per callback) against what the device allows.
pub(crate) fn check_buffer(choice: &Choice, frames: Option<u32>, device: &str) -> Result<()> {
    if let (Some(n), SupportedBufferSize::Range { min, max }) = (frames, choice.buffer) {
        if n < min || n > max {
            return Err(Error::invalid_argument(
                "option buffer_frames",
                n,
                format!("{min} to {max} frames for device {device:?}"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(ch: u16, min: u32, max: u32, f: SampleFormat) -> SupportedStreamConfigRange {
        SupportedStreamConfigRange::new(
            ch,
            min,
            max,
            SupportedBufferSize::Range { min: 16, max: 4096 },
            f,
        )
    }

    #[test]
    fn exact_wishes_are_kept_and_float_preferred() {
        let r = [
            range(2, 8000, 96000, SampleFormat::I16),
            range(2, 8000, 96000, SampleFormat::F32),
            range(1, 8000, 96000, SampleFormat::F32),
        ];
        let want = Want {
            channels: Some(1),
            sample_rate: Some(22050),
            ..Want::default()
        };
        let c = choose(&r, want, "x").unwrap();
        assert_eq!(
            (c.channels, c.sample_rate, c.format),
            (1, 22050, SampleFormat::F32)
        );
    }

    #[test]
    fn rates_and_channels_the_device_lacks_map_to_near_ones() {
        // A 48 kHz-only stereo device.
        let r = [range(2, 48000, 48000, SampleFormat::I16)];
        let mono = Want {
            channels: Some(1),
            sample_rate: Some(44100),
            ..Want::default()
        };
        let c = choose(&r, mono, "x").unwrap();
        assert_eq!((c.channels, c.sample_rate), (2, 48000));
        let surround = Want {
            channels: Some(6),
            ..mono
        };
        assert_eq!(choose(&r, surround, "x").unwrap().channels, 2);
        // Three channels have no down-mix rule to stereo.
        let three = Want {
            channels: Some(3),
            ..mono
        };
        let e = choose(&r, three, "x").unwrap_err().to_string();
        assert!(e.contains("channels = 3") && e.contains("at most 2"), "{e}");
        // Strict wishes are errors naming what the device takes.
        let strict = Want {
            strict_rate: true,
            ..mono
        };
        let e = choose(&r, strict, "x").unwrap_err().to_string();
        assert!(
            e.contains("sample_rate = 44100") && e.contains("48000 Hz"),
            "{e}"
        );
    }

    #[test]
    fn nearest_rate_and_default_rate() {
        let r = [
            range(2, 8000, 16000, SampleFormat::F32),
            range(2, 44100, 44100, SampleFormat::F32),
        ];
        let w = |rate| Want {
            sample_rate: Some(rate),
            ..Want::default()
        };
        assert_eq!(choose(&r, w(22050), "x").unwrap().sample_rate, 16000);
        assert_eq!(choose(&r, w(40000), "x").unwrap().sample_rate, 44100);
        assert_eq!(choose(&r, Want::default(), "x").unwrap().sample_rate, 44100);
        assert_eq!(
            describe_ranges(&r),
            "2 channels at 8000-16000, 44100 Hz (f32)"
        );
    }
}
