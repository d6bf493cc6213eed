//! The Ogg page writer of the Opus and Vorbis encoders (RFC 3533), and the Vorbis comment list
//! both codecs carry their tags in.
//!
//! Packets go in with their granule position; pages come out as bytes. A page is cut when its
//! body reaches [`PAGE_TARGET`] bytes or 255 lacing values (what libogg's `ogg_stream_pageout`
//! does), or when the caller forces one ([`OggStream::flush`]: the first page of a stream, the
//! end of the headers, a writer's `flush`, the last page). A page's granule position is that of
//! the last packet that ends on it, or -1 when none does (a page inside a long packet). The CRC
//! is Ogg's CRC-32 (polynomial 0x04C11DB7, no reflection, zero initial value) over the page with
//! its CRC field zeroed.
//!
//! ```
//! use audiostream_codecs::ogg::{OggStream, crc32};
//! let mut ogg = OggStream::new(0x1234);
//! ogg.packet(b"OpusHead...", 0);
//! let mut out = Vec::new();
//! ogg.flush(&mut out, false);
//! assert_eq!(&out[..4], b"OggS");
//! assert_eq!(out[5], 2); // beginning of stream
//! let stored = u32::from_le_bytes(out[22..26].try_into().unwrap());
//! let mut zeroed = out.clone();
//! zeroed[22..26].fill(0);
//! assert_eq!(stored, crc32(&zeroed));
//! ```

/// Page body size at which a page is cut (libogg's threshold).
pub const PAGE_TARGET: usize = 4096;

/// Lacing values a page holds at most.
const MAX_SEGMENTS: usize = 255;

/// For 1 ..= 8 channels: where each channel of the WAV order (the order channel layouts name,
/// which the writer's input has) goes in the Vorbis order that Ogg Vorbis and Ogg Opus mapping
/// family 1 store (Vorbis I §4.3.9, RFC 7845 §5.1.1.2), as FFmpeg's
/// `ff_vorbis_channel_layout_offsets`; the reader undoes it.
pub(crate) const WAV_TO_VORBIS_ORDER: [&[usize]; 8] = [
    &[0],
    &[0, 1],
    &[0, 2, 1],
    &[0, 1, 2, 3],
    &[0, 2, 1, 3, 4],
    &[0, 2, 1, 5, 3, 4],
    &[0, 2, 1, 6, 5, 3, 4],
    &[0, 2, 1, 7, 5, 6, 3, 4],
];

/// Ogg's CRC-32 lookup table, built at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut r = (i as u32) << 24;
        let mut bit = 0;
        while bit < 8 {
            r = if r & 0x8000_0000 != 0 {
                (r << 1) ^ 0x04C1_1DB7
            } else {
                r << 1
            };
            bit += 1;
        }
        table[i] = r;
        i += 1;
    }
    table
};

/// Ogg's page checksum of `bytes`.
///
/// ```
/// assert_eq!(audiostream_codecs::ogg::crc32(b""), 0);
/// ```
pub fn crc32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0u32, |crc, &b| {
        (crc << 8) ^ CRC_TABLE[usize::from((crc >> 24) as u8 ^ b)]
    })
}

/// One logical Ogg stream being written: packets in, pages out.
#[derive(Debug)]
pub struct OggStream {
    serial: u32,
    sequence: u32,
    /// Lacing values of the packets (or packet parts) waiting for a page.
    lacing: Vec<u8>,
    /// For each lacing value that ends a packet, that packet's granule position.
    ends: Vec<Option<i64>>,
    body: Vec<u8>,
    /// The first lacing value waiting continues a packet begun on an earlier page.
    continued: bool,
    /// The beginning-of-stream page has been written.
    started: bool,
    /// The end-of-stream page has been written.
    ended: bool,
    /// Granule position of the last page written.
    last_granule: i64,
}

impl OggStream {
    /// A stream with serial number `serial`; nothing is written until a page is cut.
    pub fn new(serial: u32) -> Self {
        OggStream {
            serial,
            sequence: 0,
            lacing: Vec::with_capacity(MAX_SEGMENTS * 2),
            ends: Vec::with_capacity(MAX_SEGMENTS * 2),
            body: Vec::with_capacity(PAGE_TARGET * 2),
            continued: false,
            started: false,
            ended: false,
            last_granule: 0,
        }
    }

    /// The stream's serial number.
    pub fn serial(&self) -> u32 {
        self.serial
    }

    /// Whether the end-of-stream page has been written.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Granule position of the last page written (0 before any).
    pub fn last_granule(&self) -> i64 {
        self.last_granule
    }

    /// Whether packets (or parts of one) wait for a page.
    pub fn has_pending(&self) -> bool {
        !self.lacing.is_empty()
    }

    /// Queues one packet that ends at `granule` (the codec's position after it).
    pub fn packet(&mut self, data: &[u8], granule: i64) {
        // A packet is lacing values of 255 and one below 255 (0 when its length is a multiple
        // of 255, so that the end is marked).
        let full = data.len() / 255;
        self.lacing
            .extend(std::iter::repeat_n(255u8, full).chain([(data.len() % 255) as u8]));
        self.ends.extend(std::iter::repeat_n(None, full));
        self.ends.push(Some(granule));
        self.body.extend_from_slice(data);
    }

    /// Appends every page that is full (body >= [`PAGE_TARGET`] bytes or 255 lacing values) to
    /// `out`. The page holding the end of the last packet queued is never among them: that
    /// packet may turn out to be the stream's last, which must be on the end-of-stream page
    /// (its granule position may trim the decoded length, which only the last page may do).
    pub fn pageout(&mut self, out: &mut Vec<u8>) {
        while !self.lacing.is_empty() {
            let (segments, bytes) = self.page_extent();
            if (segments < MAX_SEGMENTS && bytes < PAGE_TARGET) || segments == self.lacing.len() {
                break;
            }
            self.write_page(segments, bytes, false, out);
        }
    }

    /// Appends pages holding everything queued to `out`; with `eos`, the last one ends the
    /// stream (an empty end-of-stream page if nothing is queued). Does nothing once ended.
    pub fn flush(&mut self, out: &mut Vec<u8>, eos: bool) {
        if self.ended {
            return;
        }
        while !self.lacing.is_empty() {
            let (segments, bytes) = self.page_extent();
            let last = segments == self.lacing.len();
            self.write_page(segments, bytes, eos && last, out);
        }
        if eos && !self.ended {
            // Nothing was queued: an end-of-stream page with no packet (one empty segment
            // would start a packet; zero segments is a legal empty page).
            self.write_page(0, 0, true, out);
        }
    }

    /// How many lacing values and body bytes the next page takes: up to 255 values, stopping
    /// at the first packet end at or past [`PAGE_TARGET`] bytes.
    fn page_extent(&self) -> (usize, usize) {
        let mut bytes = 0;
        let mut segments = 0;
        for (&lace, end) in self.lacing.iter().zip(&self.ends).take(MAX_SEGMENTS) {
            bytes += usize::from(lace);
            segments += 1;
            if bytes >= PAGE_TARGET && end.is_some() {
                break;
            }
        }
        (segments, bytes)
    }

    /// Writes a page of the first `segments` lacing values (`bytes` of body).
    fn write_page(&mut self, segments: usize, bytes: usize, eos: bool, out: &mut Vec<u8>) {
        let granule = self
            .ends
            .get(..segments)
            .unwrap_or_default()
            .iter()
            .rev()
            .find_map(|e| *e)
            .unwrap_or(-1);
        let mut flags = 0u8;
        if self.continued {
            flags |= 1;
        }
        if !self.started {
            flags |= 2;
        }
        if eos {
            flags |= 4;
        }
        let start = out.len();
        out.extend_from_slice(b"OggS");
        out.push(0); // version
        out.push(flags);
        out.extend_from_slice(&granule.to_le_bytes());
        out.extend_from_slice(&self.serial.to_le_bytes());
        out.extend_from_slice(&self.sequence.to_le_bytes());
        out.extend_from_slice(&[0; 4]); // CRC, below
        out.push(segments as u8);
        out.extend_from_slice(self.lacing.get(..segments).unwrap_or_default());
        out.extend_from_slice(self.body.get(..bytes).unwrap_or_default());
        let crc = crc32(out.get(start..).unwrap_or_default());
        if let Some(field) = out.get_mut(start + 22..start + 26) {
            field.copy_from_slice(&crc.to_le_bytes());
        }
        // The next page continues a packet when this one ends inside it.
        self.continued = segments > 0 && self.lacing.get(segments - 1) == Some(&255);
        self.lacing.drain(..segments);
        self.ends.drain(..segments);
        self.body.drain(..bytes);
        self.sequence = self.sequence.wrapping_add(1);
        self.started = true;
        self.ended |= eos;
        if granule >= 0 {
            self.last_granule = granule;
        }
    }
}

/// The Vorbis comment field name for a tag key (as the FLAC encoder names them: `title` →
/// `TITLE`, `track` → `TRACKNUMBER`, anything else uppercased), or `None` when the key cannot be
/// a field name (empty, or not printable ASCII without `=`).
///
/// ```
/// use audiostream_codecs::ogg::comment_field;
/// assert_eq!(comment_field("track").as_deref(), Some("TRACKNUMBER"));
/// assert_eq!(comment_field("a=b"), None);
/// ```
pub fn comment_field(key: &str) -> Option<String> {
    let field = match key.to_ascii_lowercase().as_str() {
        "track" => "TRACKNUMBER".to_string(),
        _ => key.to_ascii_uppercase(),
    };
    let ok = !field.is_empty()
        && field
            .bytes()
            .all(|b| (0x20..=0x7D).contains(&b) && b != b'=');
    ok.then_some(field)
}

/// Tags as Vorbis comment fields, or an error naming the first key that cannot be one.
pub(crate) fn comment_fields(
    codec: &str,
    tags: &crate::Options,
) -> Result<Vec<(String, String)>, crate::EncodeError> {
    tags.iter()
        .map(|(k, v)| {
            comment_field(k).map(|f| (f, v.clone())).ok_or_else(|| {
                crate::EncodeError::InvalidArgument(format!(
                    "tag key \"{k}\" for encoder {codec}; Vorbis comment names are printable \
                     ASCII without '='"
                ))
            })
        })
        .collect()
}

/// A Vorbis comment list (RFC 7845 §5.2, Vorbis I §5): vendor string, then `FIELD=value`
/// entries, all lengths 32-bit little-endian. `None` when a length exceeds 32 bits. (OpusTags
/// only: libvorbis writes its own comment header.)
#[cfg_attr(not(feature = "encode-opus"), allow(dead_code))]
pub(crate) fn comment_list(vendor: &str, fields: &[(String, String)]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    out.extend(u32::try_from(vendor.len()).ok()?.to_le_bytes());
    out.extend(vendor.as_bytes());
    out.extend(u32::try_from(fields.len()).ok()?.to_le_bytes());
    for (field, value) in fields {
        let len = u32::try_from(field.len() + 1 + value.len()).ok()?;
        out.extend(len.to_le_bytes());
        out.extend(field.as_bytes());
        out.push(b'=');
        out.extend(value.as_bytes());
    }
    Some(out)
}

/// A serial number for a new stream: different for every stream this process writes and, with
/// the time and process id in it, across processes (as `oggenc` and libopusenc pick theirs at
/// random), so that streams chained or multiplexed together do not collide.
pub(crate) fn new_serial() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    let v = h.finish();
    (v ^ (v >> 32)) as u32
}

/// Parses the `serial` encoder option (a stream serial number, for reproducible output).
pub(crate) fn serial_option(
    codec: &str,
    options: &crate::Options,
) -> Result<Option<u32>, crate::EncodeError> {
    options
        .get("serial")
        .map(|v| {
            v.trim().parse::<u32>().map_err(|_| {
                crate::EncodeError::InvalidArgument(format!(
                    "encoder_option serial = \"{v}\" for encoder {codec}; allowed: an Ogg stream \
                     serial number, 0 ..= 4294967295"
                ))
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page: flags, granule, serial, sequence, lacing values, body.
    type Page = (u8, i64, u32, u32, Vec<u8>, Vec<u8>);

    /// Splits a byte stream into pages, and checks every CRC.
    fn pages(bytes: &[u8]) -> Vec<Page> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < bytes.len() {
            let p = &bytes[pos..];
            assert_eq!(&p[..4], b"OggS");
            let n = usize::from(p[26]);
            let lacing = p[27..27 + n].to_vec();
            let len: usize = lacing.iter().map(|&l| usize::from(l)).sum();
            let total = 27 + n + len;
            let mut zeroed = p[..total].to_vec();
            zeroed[22..26].fill(0);
            assert_eq!(
                u32::from_le_bytes(p[22..26].try_into().unwrap()),
                crc32(&zeroed)
            );
            out.push((
                p[5],
                i64::from_le_bytes(p[6..14].try_into().unwrap()),
                u32::from_le_bytes(p[14..18].try_into().unwrap()),
                u32::from_le_bytes(p[18..22].try_into().unwrap()),
                lacing,
                p[27 + n..total].to_vec(),
            ));
            pos += total;
        }
        out
    }

    #[test]
    fn crc_matches_a_known_page() {
        // CRC-32/POSIX (cksum) is this CRC with the result inverted: its check value for
        // "123456789" is 0x765E7680.
        assert_eq!(crc32(b"123456789"), !0x765E_7680);
    }

    #[test]
    fn pages_lacing_granules_and_flags() {
        let mut ogg = OggStream::new(7);
        let mut out = Vec::new();
        ogg.packet(&[1; 19], 0);
        ogg.flush(&mut out, false);
        // Packets of 510 bytes (laced 255, 255, 0) and a long one spanning pages.
        for i in 0..20 {
            ogg.packet(&[i as u8; 510], 100 * (i + 1));
        }
        ogg.packet(&vec![9; 70_000], 5000);
        ogg.packet(&[3; 10], 5100);
        ogg.pageout(&mut out);
        ogg.flush(&mut out, true);
        let p = pages(&out);
        assert_eq!(p[0].0, 2, "first page: BOS");
        assert_eq!(p[0].1, 0);
        assert!(p.iter().all(|pg| pg.2 == 7));
        assert!(p.iter().enumerate().all(|(i, pg)| pg.3 == i as u32));
        assert_eq!(p.last().unwrap().0 & 4, 4, "last page: EOS");
        assert_eq!(p.last().unwrap().1, 5100);
        // Reassemble the packets from the lacing and compare.
        let mut packets: Vec<Vec<u8>> = Vec::new();
        let mut cur = Vec::new();
        for (flags, granule, _, _, lacing, body) in &p {
            assert_eq!(flags & 1 != 0, !cur.is_empty(), "continued flag");
            let mut at = 0;
            let mut ended_here = false;
            for &l in lacing {
                cur.extend_from_slice(&body[at..at + usize::from(l)]);
                at += usize::from(l);
                if l < 255 {
                    packets.push(std::mem::take(&mut cur));
                    ended_here = true;
                }
            }
            if !ended_here {
                assert_eq!(*granule, -1, "a page where no packet ends has granule -1");
            }
            assert!(lacing.len() <= 255);
        }
        assert_eq!(packets.len(), 23);
        assert_eq!(packets[1], vec![0u8; 510]);
        assert_eq!(packets[21].len(), 70_000);
        assert_eq!(packets[22], vec![3; 10]);
    }

    #[test]
    fn empty_stream_has_one_bos_eos_page() {
        let mut ogg = OggStream::new(1);
        let mut out = Vec::new();
        ogg.flush(&mut out, true);
        let p = pages(&out);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, 6);
        ogg.flush(&mut out, true);
        assert_eq!(pages(&out).len(), 1, "nothing after the end");
    }

    #[test]
    fn comment_lists() {
        let list = comment_list("v", &[("TITLE".into(), "x".into())]).unwrap();
        assert_eq!(list, b"\x01\0\0\0v\x01\0\0\0\x07\0\0\0TITLE=x");
        assert_eq!(comment_field("Title").as_deref(), Some("TITLE"));
        assert_eq!(comment_field(""), None);
        assert!(new_serial() != new_serial());
    }
}
