//! A minimal MessagePack writer: the handful of types the Datadog intake reads.
//!
//! Written here rather than taken from `rmp`: the intake needs only unsigned and signed
//! integers, `float64`, strings, arrays and maps, which are a few lines each, and writing
//! straight into one `Vec<u8>` with the smallest encoding of each value keeps the exporter
//! free of a dependency and of per-value error handling (writing to a `Vec` cannot fail).

/// Appends MessagePack values to a byte buffer, each in its smallest encoding.
pub(crate) trait MsgPackWrite {
    fn mp_uint(&mut self, v: u64);
    fn mp_int(&mut self, v: i64);
    fn mp_f64(&mut self, v: f64);
    fn mp_str(&mut self, s: &str);
    fn mp_array_len(&mut self, len: u32);
    fn mp_map_len(&mut self, len: u32);
}

impl MsgPackWrite for Vec<u8> {
    #[inline]
    fn mp_uint(&mut self, v: u64) {
        if v < 0x80 {
            self.push(v as u8);
        } else if v <= u8::MAX as u64 {
            self.extend_from_slice(&[0xcc, v as u8]);
        } else if v <= u16::MAX as u64 {
            self.push(0xcd);
            self.extend_from_slice(&(v as u16).to_be_bytes());
        } else if v <= u32::MAX as u64 {
            self.push(0xce);
            self.extend_from_slice(&(v as u32).to_be_bytes());
        } else {
            self.push(0xcf);
            self.extend_from_slice(&v.to_be_bytes());
        }
    }

    #[inline]
    fn mp_int(&mut self, v: i64) {
        if v >= 0 {
            self.mp_uint(v as u64);
        } else if v >= -32 {
            // Negative fixint: the value's low byte (0xe0..=0xff).
            self.push(v as u8);
        } else if v >= i8::MIN as i64 {
            self.extend_from_slice(&[0xd0, v as u8]);
        } else if v >= i16::MIN as i64 {
            self.push(0xd1);
            self.extend_from_slice(&(v as i16).to_be_bytes());
        } else if v >= i32::MIN as i64 {
            self.push(0xd2);
            self.extend_from_slice(&(v as i32).to_be_bytes());
        } else {
            self.push(0xd3);
            self.extend_from_slice(&v.to_be_bytes());
        }
    }

    #[inline]
    fn mp_f64(&mut self, v: f64) {
        self.push(0xcb);
        self.extend_from_slice(&v.to_bits().to_be_bytes());
    }

    #[inline]
    fn mp_str(&mut self, s: &str) {
        let len = s.len();
        if len < 32 {
            self.push(0xa0 | len as u8);
        } else if len <= u8::MAX as usize {
            self.extend_from_slice(&[0xd9, len as u8]);
        } else if len <= u16::MAX as usize {
            self.push(0xda);
            self.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            // Longer than 4 GiB cannot be sent to the intake anyway; such a string is cut.
            let len = len.min(u32::MAX as usize);
            self.push(0xdb);
            self.extend_from_slice(&(len as u32).to_be_bytes());
            self.extend_from_slice(&s.as_bytes()[..len]);
            return;
        }
        self.extend_from_slice(s.as_bytes());
    }

    #[inline]
    fn mp_array_len(&mut self, len: u32) {
        if len < 16 {
            self.push(0x90 | len as u8);
        } else if len <= u16::MAX as u32 {
            self.push(0xdc);
            self.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            self.push(0xdd);
            self.extend_from_slice(&len.to_be_bytes());
        }
    }

    #[inline]
    fn mp_map_len(&mut self, len: u32) {
        if len < 16 {
            self.push(0x80 | len as u8);
        } else if len <= u16::MAX as u32 {
            self.push(0xde);
            self.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            self.push(0xdf);
            self.extend_from_slice(&len.to_be_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut v = Vec::new();
        f(&mut v);
        v
    }

    #[test]
    fn integers_use_the_smallest_encoding() {
        assert_eq!(enc(|b| b.mp_uint(0)), [0x00]);
        assert_eq!(enc(|b| b.mp_uint(127)), [0x7f]);
        assert_eq!(enc(|b| b.mp_uint(128)), [0xcc, 0x80]);
        assert_eq!(enc(|b| b.mp_uint(256)), [0xcd, 0x01, 0x00]);
        assert_eq!(enc(|b| b.mp_uint(65536)), [0xce, 0, 1, 0, 0]);
        assert_eq!(
            enc(|b| b.mp_uint(u64::MAX)),
            [0xcf, 255, 255, 255, 255, 255, 255, 255, 255]
        );
        assert_eq!(enc(|b| b.mp_int(-1)), [0xff]);
        assert_eq!(enc(|b| b.mp_int(-32)), [0xe0]);
        assert_eq!(enc(|b| b.mp_int(-33)), [0xd0, 0xdf]);
        assert_eq!(enc(|b| b.mp_int(-129)), [0xd1, 0xff, 0x7f]);
        assert_eq!(enc(|b| b.mp_int(-40000)), [0xd2, 0xff, 0xff, 0x63, 0xc0]);
        assert_eq!(enc(|b| b.mp_int(i64::MIN))[0], 0xd3);
        assert_eq!(enc(|b| b.mp_int(5)), [0x05]);
    }

    #[test]
    fn strings_arrays_maps_and_floats() {
        assert_eq!(enc(|b| b.mp_str("")), [0xa0]);
        assert_eq!(enc(|b| b.mp_str("ab")), [0xa2, b'a', b'b']);
        let s32 = "x".repeat(32);
        assert_eq!(enc(|b| b.mp_str(&s32))[..2], [0xd9, 32]);
        let s300 = "x".repeat(300);
        assert_eq!(enc(|b| b.mp_str(&s300))[..3], [0xda, 1, 44]);
        let s70k = "x".repeat(70_000);
        assert_eq!(enc(|b| b.mp_str(&s70k))[..5], [0xdb, 0, 1, 0x11, 0x70]);
        assert_eq!(enc(|b| b.mp_array_len(3)), [0x93]);
        assert_eq!(enc(|b| b.mp_array_len(16)), [0xdc, 0, 16]);
        assert_eq!(enc(|b| b.mp_array_len(70_000))[0], 0xdd);
        assert_eq!(enc(|b| b.mp_map_len(2)), [0x82]);
        assert_eq!(enc(|b| b.mp_map_len(16)), [0xde, 0, 16]);
        assert_eq!(enc(|b| b.mp_map_len(70_000))[0], 0xdf);
        assert_eq!(enc(|b| b.mp_f64(1.5)), [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
    }
}
