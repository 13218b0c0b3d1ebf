//! The two Thrift wire protocols Jaeger uses, written by hand: compact (the agent's UDP
//! `emitBatch` call) and binary (the collector's HTTP body). Only what the Jaeger types need
//! is implemented: structs, lists, bool, i32, i64, double and binary/string fields.

/// A Thrift field or element type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    I32,
    I64,
    Double,
    Binary,
    List,
    Struct,
}

/// What the Jaeger encoders write through; implemented by both protocols.
pub(crate) trait Protocol {
    /// The bytes written so far.
    fn buf(&mut self) -> &mut Vec<u8>;
    /// Starts a struct (its fields follow, then [`Protocol::struct_end`]).
    fn struct_begin(&mut self);
    /// Ends a struct with the stop field.
    fn struct_end(&mut self);
    /// A field header (not for bools: see [`Protocol::bool_field`]).
    fn field(&mut self, ty: Ty, id: i16);
    /// A complete bool field.
    fn bool_field(&mut self, id: i16, value: bool);
    /// A list header.
    fn list(&mut self, elem: Ty, len: usize);
    fn i32(&mut self, v: i32);
    fn i64(&mut self, v: i64);
    fn f64(&mut self, v: f64);
    fn bytes(&mut self, v: &[u8]);

    fn i32_field(&mut self, id: i16, v: i32) {
        self.field(Ty::I32, id);
        self.i32(v);
    }
    fn i64_field(&mut self, id: i16, v: i64) {
        self.field(Ty::I64, id);
        self.i64(v);
    }
    fn f64_field(&mut self, id: i16, v: f64) {
        self.field(Ty::Double, id);
        self.f64(v);
    }
    fn str_field(&mut self, id: i16, v: &str) {
        self.field(Ty::Binary, id);
        self.bytes(v.as_bytes());
    }
}

/// Thrift lengths are i32; longer values are cut (a Jaeger datagram or body is far smaller).
fn len_i32(len: usize) -> i32 {
    i32::try_from(len).unwrap_or(i32::MAX)
}

/// The compact protocol: zigzag varints and field-ID deltas.
#[derive(Debug, Default)]
pub(crate) struct Compact {
    pub(crate) buf: Vec<u8>,
    last_field: i16,
    stack: Vec<i16>,
}

impl Compact {
    pub(crate) const PROTOCOL_ID: u8 = 0x82;
    pub(crate) const VERSION: u8 = 1;
    /// The message type of a `oneway` call.
    pub(crate) const ONEWAY: u8 = 4;

    fn type_id(ty: Ty) -> u8 {
        match ty {
            Ty::I32 => 5,
            Ty::I64 => 6,
            Ty::Double => 7,
            Ty::Binary => 8,
            Ty::List => 9,
            Ty::Struct => 12,
        }
    }

    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    fn field_header(&mut self, type_id: u8, id: i16) {
        let delta = i32::from(id) - i32::from(self.last_field);
        if (1..=15).contains(&delta) {
            self.buf.push(((delta as u8) << 4) | type_id);
        } else {
            self.buf.push(type_id);
            let zz = ((i32::from(id) << 1) ^ (i32::from(id) >> 31)) as u32;
            self.varint(u64::from(zz));
        }
        self.last_field = id;
    }

    /// A message header: `name` called with `seq_id` as message type `kind`.
    pub(crate) fn message_begin(&mut self, name: &str, kind: u8, seq_id: i32) {
        self.buf.push(Self::PROTOCOL_ID);
        self.buf.push((kind << 5) | Self::VERSION);
        self.varint(u64::from(seq_id as u32));
        self.bytes(name.as_bytes());
    }
}

impl Protocol for Compact {
    fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }
    fn struct_begin(&mut self) {
        self.stack.push(self.last_field);
        self.last_field = 0;
    }
    fn struct_end(&mut self) {
        self.buf.push(0);
        self.last_field = self.stack.pop().unwrap_or(0);
    }
    fn field(&mut self, ty: Ty, id: i16) {
        self.field_header(Self::type_id(ty), id);
    }
    fn bool_field(&mut self, id: i16, value: bool) {
        self.field_header(if value { 1 } else { 2 }, id);
    }
    fn list(&mut self, elem: Ty, len: usize) {
        let t = Self::type_id(elem);
        if len < 15 {
            self.buf.push(((len as u8) << 4) | t);
        } else {
            self.buf.push(0xf0 | t);
            self.varint(len_i32(len) as u64);
        }
    }
    fn i32(&mut self, v: i32) {
        self.varint(u64::from(((v << 1) ^ (v >> 31)) as u32));
    }
    fn i64(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }
    fn f64(&mut self, v: f64) {
        self.buf.extend_from_slice(&v.to_bits().to_le_bytes());
    }
    fn bytes(&mut self, v: &[u8]) {
        let v = &v[..v.len().min(i32::MAX as usize)];
        self.varint(v.len() as u64);
        self.buf.extend_from_slice(v);
    }
}

/// The binary protocol: fixed-width big-endian values (the collector's).
#[cfg(feature = "collector")]
#[derive(Debug, Default)]
pub(crate) struct Binary {
    pub(crate) buf: Vec<u8>,
}

#[cfg(feature = "collector")]
impl Binary {
    fn type_id(ty: Ty) -> u8 {
        match ty {
            Ty::I32 => 8,
            Ty::I64 => 10,
            Ty::Double => 4,
            Ty::Binary => 11,
            Ty::List => 15,
            Ty::Struct => 12,
        }
    }
}

#[cfg(feature = "collector")]
impl Protocol for Binary {
    fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }
    fn struct_begin(&mut self) {}
    fn struct_end(&mut self) {
        self.buf.push(0);
    }
    fn field(&mut self, ty: Ty, id: i16) {
        self.buf.push(Self::type_id(ty));
        self.buf.extend_from_slice(&id.to_be_bytes());
    }
    fn bool_field(&mut self, id: i16, value: bool) {
        self.buf.push(2);
        self.buf.extend_from_slice(&id.to_be_bytes());
        self.buf.push(u8::from(value));
    }
    fn list(&mut self, elem: Ty, len: usize) {
        self.buf.push(Self::type_id(elem));
        self.i32(len_i32(len));
    }
    fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.buf.extend_from_slice(&v.to_bits().to_be_bytes());
    }
    fn bytes(&mut self, v: &[u8]) {
        let v = &v[..v.len().min(i32::MAX as usize)];
        self.i32(len_i32(v.len()));
        self.buf.extend_from_slice(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_zigzag_varints_and_field_deltas() {
        let mut p = Compact::default();
        p.struct_begin();
        p.i64_field(1, -1);
        p.i64_field(20, 300);
        p.bool_field(21, true);
        p.struct_end();
        // field 1 delta 1 type i64 (6), zigzag(-1) = 1; field 20: long form, zigzag(20) = 40;
        // zigzag(300) = 600 = 0xd8 0x04; bool true in the header; stop.
        assert_eq!(p.buf, [0x16, 0x01, 0x06, 40, 0xd8, 0x04, 0x11, 0x00]);
    }

    #[test]
    fn compact_lists_long_and_short() {
        let mut p = Compact::default();
        p.list(Ty::Struct, 3);
        p.list(Ty::Struct, 20);
        assert_eq!(p.buf, [0x3c, 0xfc, 20]);
    }

    #[cfg(feature = "collector")]
    #[test]
    fn binary_fields_are_big_endian() {
        let mut p = Binary::default();
        p.i32_field(7, 1);
        p.str_field(5, "ab");
        p.bool_field(5, false);
        p.struct_end();
        assert_eq!(
            p.buf,
            [8, 0, 7, 0, 0, 0, 1, 11, 0, 5, 0, 0, 0, 2, b'a', b'b', 2, 0, 5, 0, 0]
        );
    }
}
