//! Types shared by every signal: attribute keys and values, and the instrumentation scope.
//!
//! Keys and string values built from `&'static str` never allocate; owned strings are kept
//! in a `Box<str>` and shared strings in an `Arc<str>`, so cloning never copies text; short
//! strings copied from a borrowed `&str` ([`StringValue::copied`], [`Key::copied`]) are kept
//! inline, without allocating.

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The longest text kept inline (the size of the other variants' payload, less the length
/// byte): an `OtelString` stays 24 bytes.
const INLINE_CAPACITY: usize = 22;

/// Short text stored in place. Invariant: `bytes[..len]` is valid UTF-8 and
/// `len <= INLINE_CAPACITY`; only [`InlineStr::new`] builds one.
#[derive(Clone, Copy, PartialEq, Eq)]
struct InlineStr {
    len: u8,
    bytes: [u8; INLINE_CAPACITY],
}

impl InlineStr {
    /// A copy of `s`, when it fits.
    #[inline]
    fn new(s: &str) -> Option<Self> {
        if s.len() > INLINE_CAPACITY {
            return None;
        }
        let mut bytes = [0u8; INLINE_CAPACITY];
        if let Some(room) = bytes.get_mut(..s.len()) {
            copy_short(room, s.as_bytes());
        }
        Some(InlineStr {
            // `s.len() <= INLINE_CAPACITY < 256`.
            len: s.len() as u8,
            bytes,
        })
    }

    #[inline]
    fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..self.len as usize).unwrap_or(&[]);
        // SAFETY: `new` is the only constructor and the fields are never written afterwards:
        // `bytes[..len]` is a byte-for-byte copy of a `&str`, so it is valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

/// A string that is static, owned, reference counted or short and inline: the text inside
/// keys and values.
#[derive(Clone, Eq)]
enum OtelString {
    Static(&'static str),
    Owned(Box<str>),
    Shared(Arc<str>),
    Inline(InlineStr),
}

impl OtelString {
    #[inline]
    fn as_str(&self) -> &str {
        match self {
            OtelString::Static(s) => s,
            OtelString::Owned(s) => s,
            OtelString::Shared(s) => s,
            OtelString::Inline(s) => s.as_str(),
        }
    }

    /// A copy of `s`: inline when short, otherwise in a new allocation of its exact size.
    #[inline]
    fn copied(s: &str) -> Self {
        match InlineStr::new(s) {
            Some(inline) => OtelString::Inline(inline),
            None => OtelString::Owned(Box::from(s)),
        }
    }

    #[inline]
    fn is_heap_allocated(&self) -> bool {
        matches!(self, OtelString::Owned(_) | OtelString::Shared(_))
    }
}

impl PartialEq for OtelString {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialOrd for OtelString {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OtelString {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for OtelString {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl From<Cow<'static, str>> for OtelString {
    fn from(s: Cow<'static, str>) -> Self {
        match s {
            Cow::Borrowed(s) => OtelString::Static(s),
            Cow::Owned(s) => OtelString::Owned(s.into_boxed_str()),
        }
    }
}

/// The key of an attribute.
///
/// ```
/// use opentelemetry_api::Key;
/// let key = Key::from_static_str("http.request.method");
/// assert_eq!(key.as_str(), "http.request.method");
/// let kv = key.string("GET");
/// assert_eq!(kv.value.as_str(), "GET");
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(OtelString);

impl Key {
    /// Creates a key from any string; prefer [`Key::from_static_str`] for literals.
    pub fn new(value: impl Into<Key>) -> Self {
        value.into()
    }

    /// Creates a key from a `&'static str` without allocating.
    #[inline]
    pub const fn from_static_str(value: &'static str) -> Self {
        Key(OtelString::Static(value))
    }

    /// Creates a key that shares its text with other holders of the `Arc`.
    pub fn from_arc(value: Arc<str>) -> Self {
        Key(OtelString::Shared(value))
    }

    /// Creates a key holding a copy of `value`: kept inline, without allocating, when it is
    /// at most 22 bytes long.
    ///
    /// ```
    /// use opentelemetry_api::Key;
    /// let name = String::from("user.id");
    /// let key = Key::copied(&name);
    /// assert_eq!(key, Key::from_static_str("user.id"));
    /// assert!(!key.is_heap_allocated());
    /// ```
    #[inline]
    pub fn copied(value: &str) -> Self {
        Key(OtelString::copied(value))
    }

    /// Whether the text lives in a heap allocation the key owns or shares (`false` for
    /// static and short inline text, which a key releases without any work).
    #[inline]
    pub fn is_heap_allocated(&self) -> bool {
        self.0.is_heap_allocated()
    }

    /// The key as a string slice.
    #[inline]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// A boolean attribute with this key.
    pub fn bool<T: Into<bool>>(self, value: T) -> KeyValue {
        KeyValue::new(self, Value::Bool(value.into()))
    }

    /// An integer attribute with this key.
    pub fn i64(self, value: i64) -> KeyValue {
        KeyValue::new(self, Value::I64(value))
    }

    /// A floating-point attribute with this key.
    pub fn f64(self, value: f64) -> KeyValue {
        KeyValue::new(self, Value::F64(value))
    }

    /// A string attribute with this key.
    pub fn string(self, value: impl Into<StringValue>) -> KeyValue {
        KeyValue::new(self, Value::String(value.into()))
    }

    /// An array attribute with this key.
    pub fn array<T: Into<Array>>(self, value: T) -> KeyValue {
        KeyValue::new(self, Value::Array(value.into()))
    }
}

impl From<&'static str> for Key {
    #[inline]
    fn from(s: &'static str) -> Self {
        Key::from_static_str(s)
    }
}

impl From<String> for Key {
    fn from(s: String) -> Self {
        Key(OtelString::Owned(s.into_boxed_str()))
    }
}

impl From<Arc<str>> for Key {
    fn from(s: Arc<str>) -> Self {
        Key(OtelString::Shared(s))
    }
}

impl From<Cow<'static, str>> for Key {
    fn from(s: Cow<'static, str>) -> Self {
        Key(s.into())
    }
}

impl From<Key> for String {
    fn from(key: Key) -> Self {
        key.as_str().to_owned()
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// A string attribute value; built from `&'static str` without allocating.
///
/// ```
/// use opentelemetry_api::StringValue;
/// let v = StringValue::from("static");
/// assert_eq!(v.as_str(), "static");
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StringValue(OtelString);

impl StringValue {
    /// The value as a string slice.
    #[inline]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Creates a value from a `&'static str` without allocating.
    #[inline]
    pub const fn from_static_str(value: &'static str) -> Self {
        StringValue(OtelString::Static(value))
    }

    /// Creates a value holding a copy of `value`: kept inline, without allocating, when it
    /// is at most 22 bytes long, otherwise in one allocation of its exact size.
    ///
    /// ```
    /// use opentelemetry_api::StringValue;
    /// let text = format!("order {}", 42);
    /// let short = StringValue::copied(&text);
    /// assert_eq!(short.as_str(), "order 42");
    /// assert!(!short.is_heap_allocated());
    /// let long = StringValue::copied("a text longer than twenty-two bytes");
    /// assert!(long.is_heap_allocated());
    /// ```
    #[inline]
    pub fn copied(value: &str) -> Self {
        StringValue(OtelString::copied(value))
    }

    /// Whether the text lives in a heap allocation the value owns or shares (`false` for
    /// static and short inline text, which a value releases without any work).
    #[inline]
    pub fn is_heap_allocated(&self) -> bool {
        self.0.is_heap_allocated()
    }

    /// Formats `args` into a value the cheapest way: a literal without arguments is kept as
    /// the static text, a result of at most 22 bytes is written inline (no allocation at
    /// all), a longer one is allocated once, at its exact size.
    ///
    /// ```
    /// use opentelemetry_api::StringValue;
    /// let id = std::hint::black_box(42);
    /// let short = StringValue::format(format_args!("order {id} paid"));
    /// assert_eq!(short.as_str(), "order 42 paid");
    /// assert!(!short.is_heap_allocated());
    /// let long = StringValue::format(format_args!("order {id} paid after a long wait"));
    /// assert_eq!(long.as_str(), "order 42 paid after a long wait");
    /// ```
    pub fn format(args: fmt::Arguments<'_>) -> Self {
        if let Some(literal) = args.as_str() {
            return StringValue::from_static_str(literal);
        }
        let mut writer = FormatWriter {
            inline: InlineStr {
                len: 0,
                bytes: [0; INLINE_CAPACITY],
            },
            spilled: None,
        };
        // Formatting into memory fails only when a `Display` implementation reports an
        // error; the text written until then is kept.
        let _ = fmt::Write::write_fmt(&mut writer, args);
        match writer.spilled {
            None => StringValue(OtelString::Inline(writer.inline)),
            Some(mut buffer) => {
                let value = StringValue(OtelString::Owned(Box::from(buffer.as_str())));
                buffer.clear();
                if buffer.capacity() <= FORMAT_BUFFER_KEEP {
                    let _ = FORMAT_BUFFER.try_with(|kept| {
                        if let Ok(mut kept) = kept.try_borrow_mut() {
                            if kept.capacity() < buffer.capacity() {
                                *kept = buffer;
                            }
                        }
                    });
                }
                value
            }
        }
    }
}

/// Formatted text longer than this is not kept in the thread's reusable buffer afterwards.
const FORMAT_BUFFER_KEEP: usize = 1024;

thread_local! {
    /// A reusable buffer for formatted text longer than the inline capacity, so that the text
    /// is allocated once, at its final size. It is taken out while in use: a `Display`
    /// implementation that formats a value while being formatted gets a new one.
    static FORMAT_BUFFER: std::cell::RefCell<String> =
        const { std::cell::RefCell::new(String::new()) };
}

/// Copies `src` into `dst` (of the same length, at most `INLINE_CAPACITY` bytes) with two
/// overlapping fixed-size copies instead of a `memcpy` call: formatted text arrives in short
/// pieces, for which the call costs more than the copy.
#[inline(always)]
fn copy_short(dst: &mut [u8], src: &[u8]) {
    /// The first and the last `N` bytes (which overlap, or meet, for `N..=2 * N` bytes).
    #[inline(always)]
    fn ends<const N: usize>(dst: &mut [u8], src: &[u8]) {
        let n = src.len();
        let at = |i: usize| -> Option<&[u8; N]> { src.get(i..i + N)?.try_into().ok() };
        if let (Some(head), Some(tail)) = (at(0), at(n.wrapping_sub(N))) {
            let mut to = |i: usize, bytes: &[u8; N]| {
                if let Some(d) = dst.get_mut(i..i + N) {
                    if let Ok(d) = <&mut [u8; N]>::try_from(d) {
                        *d = *bytes;
                    }
                }
            };
            to(0, head);
            to(n - N, tail);
        }
    }
    // A decision tree on the length (two or three tests), not a chain of range tests.
    let n = src.len();
    if n >= 8 {
        if n < 16 {
            ends::<8>(dst, src)
        } else if n <= 32 {
            ends::<16>(dst, src)
        } else {
            dst.copy_from_slice(src)
        }
    } else if n >= 4 {
        ends::<4>(dst, src)
    } else if n >= 2 {
        ends::<2>(dst, src)
    } else if let (Some(d), Some(s)) = (dst.first_mut(), src.first()) {
        *d = *s;
    }
}

/// Writes inline until the text no longer fits, then into the thread's buffer.
struct FormatWriter {
    /// Invariant (of `InlineStr`): `bytes[..len]` is valid UTF-8, as whole `&str` pieces are
    /// appended; until the text spills, then `len` is [`SPILLED`] and the inline text is
    /// never used again (`format` takes the buffer).
    inline: InlineStr,
    spilled: Option<String>,
}

impl FormatWriter {
    /// The text no longer fits inline (or did not before): continue in the thread's buffer.
    #[cold]
    #[inline(never)]
    fn write_spilled(&mut self, s: &str) {
        let buffer = self.spilled.get_or_insert_with(|| {
            let mut buffer = FORMAT_BUFFER
                .try_with(|kept| kept.try_borrow_mut().map(|mut k| std::mem::take(&mut *k)))
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default();
            buffer.reserve((INLINE_CAPACITY + s.len()).max(64));
            buffer.push_str(self.inline.as_str());
            buffer
        });
        buffer.push_str(s);
        // From now on the inline bytes are out of use: a length past the capacity makes
        // `write_str`'s inline attempt fail (one bounds check instead of a test of
        // `spilled` on every piece).
        self.inline.len = SPILLED;
    }
}

/// `FormatWriter`'s inline length once the text went to its buffer: past
/// [`INLINE_CAPACITY`], so that no piece fits inline any more.
const SPILLED: u8 = u8::MAX;

impl fmt::Write for FormatWriter {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // Once spilled, `len` is `SPILLED` and nothing fits inline.
        let len = self.inline.len as usize;
        let end = len + s.len();
        if let Some(room) = self.inline.bytes.get_mut(len..end) {
            copy_short(room, s.as_bytes());
            // `end <= INLINE_CAPACITY < 256`.
            self.inline.len = end as u8;
            return Ok(());
        }
        self.write_spilled(s);
        Ok(())
    }
}

impl fmt::Debug for StringValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for StringValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for StringValue {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&'static str> for StringValue {
    #[inline]
    fn from(s: &'static str) -> Self {
        StringValue(OtelString::Static(s))
    }
}

impl From<String> for StringValue {
    fn from(s: String) -> Self {
        StringValue(OtelString::Owned(s.into_boxed_str()))
    }
}

impl From<Arc<str>> for StringValue {
    fn from(s: Arc<str>) -> Self {
        StringValue(OtelString::Shared(s))
    }
}

impl From<Cow<'static, str>> for StringValue {
    fn from(s: Cow<'static, str>) -> Self {
        StringValue(s.into())
    }
}

impl From<StringValue> for String {
    fn from(s: StringValue) -> Self {
        s.as_str().to_owned()
    }
}

impl From<Key> for StringValue {
    fn from(k: Key) -> Self {
        StringValue(k.0)
    }
}

/// A homogeneous array attribute value.
#[derive(Clone, Debug, PartialEq)]
pub enum Array {
    /// An array of booleans.
    Bool(Vec<bool>),
    /// An array of integers.
    I64(Vec<i64>),
    /// An array of floating-point numbers.
    F64(Vec<f64>),
    /// An array of strings.
    String(Vec<StringValue>),
}

impl Array {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            Array::Bool(v) => v.len(),
            Array::I64(v) => v.len(),
            Array::F64(v) => v.len(),
            Array::String(v) => v.len(),
        }
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The array as JSON text, the same as [`Array::write_json`] writes.
impl fmt::Display for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::json::array(f, self)
    }
}

macro_rules! array_from {
    ($($t:ty => $variant:ident),*) => {$(
        impl From<Vec<$t>> for Array {
            fn from(v: Vec<$t>) -> Self {
                Array::$variant(v)
            }
        }
        impl From<Vec<$t>> for Value {
            fn from(v: Vec<$t>) -> Self {
                Value::Array(Array::$variant(v))
            }
        }
    )*};
}
array_from!(bool => Bool, i64 => I64, f64 => F64, StringValue => String);

/// The value of an attribute: a primitive or a homogeneous array of primitives.
///
/// ```
/// use opentelemetry_api::Value;
/// assert_eq!(Value::from(42i64).to_string(), "42");
/// assert_eq!(Value::from("x").as_str(), "x");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A boolean.
    Bool(bool),
    /// A signed 64-bit integer.
    I64(i64),
    /// A 64-bit floating-point number.
    F64(f64),
    /// A string.
    String(StringValue),
    /// A homogeneous array.
    Array(Array),
}

impl Value {
    /// The value as text: the string itself for a string, its [`Display`](fmt::Display) form
    /// otherwise.
    pub fn as_str(&self) -> Cow<'_, str> {
        match self {
            Value::String(s) => Cow::Borrowed(s.as_str()),
            other => Cow::Owned(other.to_string()),
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Value::Bool(b) => b.hash(state),
            Value::I64(i) => i.hash(state),
            Value::F64(f) => f.to_bits().hash(state),
            Value::String(s) => s.hash(state),
            Value::Array(a) => {
                std::mem::discriminant(a).hash(state);
                match a {
                    Array::Bool(v) => v.hash(state),
                    Array::I64(v) => v.hash(state),
                    Array::F64(v) => v.iter().for_each(|f| f.to_bits().hash(state)),
                    Array::String(v) => v.hash(state),
                }
            }
        }
    }
}

/// The specification's text of a value for formats without typed values: a string as it is
/// (unquoted), `true`/`false`, integers, floats as JSON numbers (see [`crate::json`]) with
/// the bare names `NaN`, `Infinity` and `-Infinity` for non-finite ones, arrays as JSON.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(v) => f.write_str(if *v { "true" } else { "false" }),
            Value::I64(v) => write!(f, "{v}"),
            Value::F64(v) => match crate::json::non_finite_name(*v) {
                Some(name) => f.write_str(name),
                None => crate::json::finite_f64(f, *v),
            },
            Value::String(v) => f.write_str(v.as_str()),
            Value::Array(v) => crate::json::array(f, v),
        }
    }
}

macro_rules! value_from {
    ($($t:ty => |$v:ident| $e:expr),* $(,)?) => {$(
        impl From<$t> for Value {
            #[inline]
            fn from($v: $t) -> Self {
                $e
            }
        }
    )*};
}
value_from!(
    bool => |v| Value::Bool(v),
    i64 => |v| Value::I64(v),
    i32 => |v| Value::I64(v as i64),
    u32 => |v| Value::I64(v as i64),
    f64 => |v| Value::F64(v),
    f32 => |v| Value::F64(v as f64),
    &'static str => |v| Value::String(v.into()),
    String => |v| Value::String(v.into()),
    Arc<str> => |v| Value::String(v.into()),
    Cow<'static, str> => |v| Value::String(v.into()),
    StringValue => |v| Value::String(v),
    Array => |v| Value::Array(v),
);

/// A key-value pair: one attribute.
///
/// ```
/// use opentelemetry_api::KeyValue;
/// let kv = KeyValue::new("http.response.status_code", 200);
/// assert_eq!(kv.key.as_str(), "http.response.status_code");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeyValue {
    /// The attribute's key.
    pub key: Key,
    /// The attribute's value.
    pub value: Value,
}

impl KeyValue {
    /// Creates an attribute.
    #[inline]
    pub fn new<K: Into<Key>, V: Into<Value>>(key: K, value: V) -> Self {
        KeyValue {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// The instrumentation scope: the library (and version) that produced the telemetry.
///
/// Two scopes are the same when name, version, schema URL and attributes are equal.
///
/// ```
/// use opentelemetry_api::{InstrumentationScope, KeyValue};
/// let scope = InstrumentationScope::builder("my-library")
///     .with_version("1.2.3")
///     .with_schema_url("https://opentelemetry.io/schemas/1.44.0")
///     .with_attributes([KeyValue::new("component", "db")])
///     .build();
/// assert_eq!(scope.name(), "my-library");
/// assert_eq!(scope.version(), Some("1.2.3"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct InstrumentationScope {
    name: Cow<'static, str>,
    version: Option<Cow<'static, str>>,
    schema_url: Option<Cow<'static, str>>,
    attributes: Vec<KeyValue>,
}

impl InstrumentationScope {
    /// Starts building a scope with the given name.
    pub fn builder<T: Into<Cow<'static, str>>>(name: T) -> InstrumentationScopeBuilder {
        InstrumentationScopeBuilder {
            scope: InstrumentationScope {
                name: name.into(),
                ..Default::default()
            },
        }
    }

    /// The scope's name (an empty name is allowed but discouraged).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The scope's version.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The schema URL of the telemetry the scope produces.
    pub fn schema_url(&self) -> Option<&str> {
        self.schema_url.as_deref()
    }

    /// The scope's attributes.
    pub fn attributes(&self) -> impl Iterator<Item = &KeyValue> {
        self.attributes.iter()
    }
}

/// Builds an [`InstrumentationScope`].
#[derive(Debug)]
pub struct InstrumentationScopeBuilder {
    scope: InstrumentationScope,
}

impl InstrumentationScopeBuilder {
    /// Sets the version.
    pub fn with_version<T: Into<Cow<'static, str>>>(mut self, version: T) -> Self {
        self.scope.version = Some(version.into());
        self
    }

    /// Sets the schema URL.
    pub fn with_schema_url<T: Into<Cow<'static, str>>>(mut self, schema_url: T) -> Self {
        self.scope.schema_url = Some(schema_url.into());
        self
    }

    /// Sets the attributes.
    pub fn with_attributes<I: IntoIterator<Item = KeyValue>>(mut self, attributes: I) -> Self {
        self.scope.attributes = attributes.into_iter().collect();
        self
    }

    /// Finishes the scope.
    pub fn build(self) -> InstrumentationScope {
        self.scope
    }
}

/// A value of the logs data model: a primitive, bytes, a list or a map of values.
///
/// ```
/// use opentelemetry_api::{AnyValue, Key};
/// let body = AnyValue::Map(Box::new(vec![(Key::from("user"), AnyValue::from("ann"))]));
/// assert!(matches!(body, AnyValue::Map(_)));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum AnyValue {
    /// A signed 64-bit integer.
    Int(i64),
    /// A 64-bit floating-point number.
    Double(f64),
    /// A string.
    String(StringValue),
    /// A boolean.
    Boolean(bool),
    /// Raw bytes.
    Bytes(Box<Vec<u8>>),
    /// A list of values, which may differ in kind.
    ListAny(Box<Vec<AnyValue>>),
    /// A map from string keys to values, in insertion order.
    Map(Box<Vec<(Key, AnyValue)>>),
}

macro_rules! any_from {
    ($($t:ty => |$v:ident| $e:expr),* $(,)?) => {$(
        impl From<$t> for AnyValue {
            #[inline]
            fn from($v: $t) -> Self {
                $e
            }
        }
    )*};
}
any_from!(
    bool => |v| AnyValue::Boolean(v),
    i64 => |v| AnyValue::Int(v),
    i32 => |v| AnyValue::Int(v as i64),
    u32 => |v| AnyValue::Int(v as i64),
    f64 => |v| AnyValue::Double(v),
    &'static str => |v| AnyValue::String(v.into()),
    String => |v| AnyValue::String(v.into()),
    Cow<'static, str> => |v| AnyValue::String(v.into()),
    StringValue => |v| AnyValue::String(v),
    Vec<u8> => |v| AnyValue::Bytes(Box::new(v)),
);

impl From<Value> for AnyValue {
    fn from(value: Value) -> Self {
        match value {
            Value::Bool(b) => AnyValue::Boolean(b),
            Value::I64(i) => AnyValue::Int(i),
            Value::F64(f) => AnyValue::Double(f),
            Value::String(s) => AnyValue::String(s),
            Value::Array(a) => AnyValue::ListAny(Box::new(match a {
                Array::Bool(v) => v.into_iter().map(AnyValue::Boolean).collect(),
                Array::I64(v) => v.into_iter().map(AnyValue::Int).collect(),
                Array::F64(v) => v.into_iter().map(AnyValue::Double).collect(),
                Array::String(v) => v.into_iter().map(AnyValue::String).collect(),
            })),
        }
    }
}

impl<T: Into<AnyValue>> FromIterator<T> for AnyValue {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        AnyValue::ListAny(Box::new(iter.into_iter().map(Into::into).collect()))
    }
}

impl<K: Into<Key>, V: Into<AnyValue>> FromIterator<(K, V)> for AnyValue {
    /// Builds a map; a key given twice keeps its last value.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut entries: Vec<(Key, AnyValue)> = Vec::new();
        for (k, v) in iter {
            let (k, v) = (k.into(), v.into());
            match entries.iter_mut().find(|(existing, _)| *existing == k) {
                Some(slot) => slot.1 = v,
                None => entries.push((k, v)),
            }
        }
        AnyValue::Map(Box::new(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn hash<T: Hash>(t: &T) -> u64 {
        let mut h = DefaultHasher::new();
        t.hash(&mut h);
        h.finish()
    }

    #[test]
    fn copied_text_is_inline_up_to_22_bytes_and_equal_to_any_other_storage() {
        assert_eq!(std::mem::size_of::<OtelString>(), 24);
        for len in 0..=30 {
            // Multi-byte characters too: the inline copy is byte for byte.
            let text: String = "é".repeat(len / 2) + &"x".repeat(len % 2);
            let value = StringValue::copied(&text);
            assert_eq!(value.as_str(), text);
            assert_eq!(value.is_heap_allocated(), text.len() > INLINE_CAPACITY);
            let other = StringValue::from(text.clone());
            assert_eq!(value, other);
            assert_eq!(hash(&value), hash(&other));
            assert_eq!(value.clone().as_str(), text);
            let key = Key::copied(&text);
            assert_eq!(key.as_str(), text);
            assert_eq!(key, Key::from(text.clone()));
        }
        assert!(!Key::from_static_str("k").is_heap_allocated());
        assert!(Key::from(Arc::<str>::from("k")).is_heap_allocated());
        assert!(!StringValue::from_static_str("v").is_heap_allocated());
    }

    #[test]
    fn formatting_keeps_literals_static_short_text_inline_and_long_text_whole() {
        let n = std::hint::black_box(7);
        let literal = StringValue::format(format_args!("plain"));
        assert!(matches!(literal.0, OtelString::Static("plain")));
        for width in [0usize, 5, 20, 21, 22, 23, 40, 2000] {
            // Several pieces: a spill can happen at any of them.
            let value = StringValue::format(format_args!("é{n}{:>width$}|", "x"));
            let expected = format!("é{n}{:>width$}|", "x");
            assert_eq!(value.as_str(), expected);
            assert_eq!(value.is_heap_allocated(), expected.len() > INLINE_CAPACITY);
        }
        /// Formats a value while being formatted (as a `Display` that logs does).
        struct Nested(usize);
        impl fmt::Display for Nested {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let inner = StringValue::format(format_args!("{:>1$}", "in", self.0));
                f.write_str(inner.as_str())
            }
        }
        let value = StringValue::format(format_args!("{:>30}{}", n, Nested(40)));
        assert_eq!(value.as_str(), format!("{:>30}{:>40}", n, "in"));
    }

    #[test]
    fn short_copies_copy_every_length_exactly() {
        // Every branch of the length tree, the plain copy past 32 bytes included.
        const MAX: usize = 40;
        let src: Vec<u8> = (1..=MAX as u8).collect();
        for len in 0..=MAX {
            let mut dst = [0u8; MAX];
            copy_short(&mut dst[..len], &src[..len]);
            assert_eq!(&dst[..len], &src[..len]);
            assert!(dst[len..].iter().all(|&b| b == 0), "nothing past {len}");
        }
    }

    #[test]
    fn keys_compare_by_text_whatever_their_storage() {
        let a = Key::from_static_str("k");
        let b = Key::from(String::from("k"));
        let c = Key::from(Arc::<str>::from("k"));
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_eq!(hash(&a), hash(&c));
    }

    #[test]
    fn values_display() {
        assert_eq!(Value::from(true).to_string(), "true");
        assert_eq!(Value::from(1.5).to_string(), "1.5");
        assert_eq!(Value::from(vec![1i64, 2]).to_string(), "[1,2]");
        assert_eq!(
            Value::from(vec![StringValue::from("a")]).to_string(),
            "[\"a\"]"
        );
    }

    #[test]
    fn scope_identity_includes_every_field() {
        let a = InstrumentationScope::builder("x").with_version("1").build();
        let b = InstrumentationScope::builder("x").with_version("2").build();
        assert_ne!(a, b);
        let c = InstrumentationScope::builder("x").with_version("1").build();
        assert_eq!(a, c);
        assert_eq!(hash(&a), hash(&c));
    }

    #[test]
    fn any_value_map_keeps_last_duplicate() {
        let v: AnyValue = [("a", 1i64), ("b", 2), ("a", 3)].into_iter().collect();
        let AnyValue::Map(entries) = v else {
            panic!("not a map")
        };
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0], (Key::from("a"), AnyValue::Int(3)));
    }

    #[test]
    fn any_value_from_array_value() {
        let v = AnyValue::from(Value::from(vec![true, false]));
        assert_eq!(
            v,
            AnyValue::ListAny(Box::new(vec![
                AnyValue::Boolean(true),
                AnyValue::Boolean(false)
            ]))
        );
    }
}
