//! Reading the semantic conventions YAML model into the few things the crate is made of:
//! registry attributes (with their enum members), metrics and events.
//!
//! Both file formats of the model are read: the classic one (`groups:` with a `type` per
//! group) and `file_format: definition/2` (top-level `attributes:`, `metrics:`, `events:`).
//! Anything else in the files (spans, entities, refinements, attribute references) is not
//! needed for name constants and is skipped. Unexpected shapes of the parts that are read
//! are errors, so a model update that changes them is noticed instead of silently dropped.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_yaml_ng::Value as Yaml;

/// How an item is deprecated.
#[derive(Debug, Clone)]
pub(crate) struct Deprecation {
    /// `renamed`, `obsoleted`, `uncategorized`, ...
    pub(crate) reason: String,
    /// The replacement, for `renamed`.
    pub(crate) renamed_to: Option<String>,
    /// Free text from the model.
    pub(crate) note: Option<String>,
}

/// The value of an enum member.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum MemberValue {
    Str(String),
    Int(i64),
}

/// One well-known value of an enum attribute.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) id: String,
    pub(crate) value: MemberValue,
    pub(crate) brief: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) stability: String,
    pub(crate) deprecated: Option<Deprecation>,
}

/// A registry attribute.
#[derive(Debug, Clone)]
pub(crate) struct Attribute {
    pub(crate) key: String,
    /// The type as the model spells it (`string`, `int[]`, `template[string]`, ...); `enum`
    /// types are `string` or `int` with `members` set.
    pub(crate) ty: String,
    pub(crate) members: Vec<Member>,
    pub(crate) brief: String,
    pub(crate) note: Option<String>,
    pub(crate) stability: String,
    /// Each example rendered as a literal (`"GET"`, `3495`, `["a", "b"]`).
    pub(crate) examples: Vec<String>,
    pub(crate) deprecated: Option<Deprecation>,
    /// The model file it comes from, relative to the model directory.
    pub(crate) source: String,
}

/// A metric.
#[derive(Debug, Clone)]
pub(crate) struct Metric {
    pub(crate) name: String,
    pub(crate) instrument: String,
    pub(crate) unit: String,
    pub(crate) brief: String,
    pub(crate) note: Option<String>,
    pub(crate) stability: String,
    pub(crate) deprecated: Option<Deprecation>,
    pub(crate) source: String,
}

/// An event.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) name: String,
    pub(crate) brief: String,
    pub(crate) note: Option<String>,
    pub(crate) stability: String,
    pub(crate) deprecated: Option<Deprecation>,
    pub(crate) source: String,
}

/// Everything the generator needs, sorted by name.
#[derive(Debug, Default)]
pub(crate) struct Model {
    pub(crate) schema_url: String,
    pub(crate) attributes: Vec<Attribute>,
    pub(crate) metrics: Vec<Metric>,
    pub(crate) events: Vec<Event>,
}

impl Model {
    /// The semantic conventions version, the last path segment of the schema URL.
    pub(crate) fn version(&self) -> &str {
        self.schema_url.rsplit('/').next().unwrap_or_default()
    }
}

type Result<T> = std::result::Result<T, String>;

/// All `.yaml` files under `dir`, sorted, so the output never depends on directory order.
pub(crate) fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|ext| ext == "yaml") {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    Ok(files)
}

/// Parses one YAML file.
pub(crate) fn parse_file(path: &Path) -> Result<Yaml> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_yaml_ng::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Whether a parsed model file holds anything the generator reads (used when importing).
pub(crate) fn is_relevant(doc: &Yaml) -> bool {
    if !doc["schema_url"].is_null() {
        return true; // manifest.yaml
    }
    let v1 = doc["groups"].as_sequence().is_some_and(|groups| {
        groups.iter().any(|g| match g["type"].as_str() {
            Some("metric" | "event") => true,
            Some("attribute_group") => list(&g["attributes"]).iter().any(|a| !a["id"].is_null()),
            _ => false,
        })
    });
    let v2 = !list(&doc["attributes"]).is_empty()
        || !list(&doc["metrics"]).is_empty()
        || !list(&doc["events"]).is_empty();
    v1 || v2
}

/// Loads every model file under `dir`.
pub(crate) fn load(dir: &Path) -> Result<Model> {
    let mut model = Model::default();
    let mut attributes = BTreeMap::new();
    let mut metrics = BTreeMap::new();
    let mut events = BTreeMap::new();
    for path in yaml_files(dir)? {
        let source = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let doc = parse_file(&path)?;
        let ctx = |what: &str, e: String| format!("{source}: {what}: {e}");
        if let Some(url) = doc["schema_url"].as_str() {
            model.schema_url = url.to_owned();
        }
        // Classic format.
        for group in list(&doc["groups"]) {
            let id = group["id"].as_str().unwrap_or("?");
            match group["type"].as_str() {
                Some("attribute_group") => {
                    for attr in list(&group["attributes"]) {
                        if attr["id"].is_null() {
                            continue; // a `ref:` to an attribute defined elsewhere
                        }
                        if let Some(a) = attribute(attr, "id", &source).map_err(|e| ctx(id, e))? {
                            insert(&mut attributes, a.key.clone(), a, &source)?;
                        }
                    }
                }
                Some("metric") => {
                    if let Some(m) =
                        metric(group, "metric_name", &source).map_err(|e| ctx(id, e))?
                    {
                        insert(&mut metrics, m.name.clone(), m, &source)?;
                    }
                }
                Some("event") => {
                    if let Some(e) = event(group, &source).map_err(|e| ctx(id, e))? {
                        insert(&mut events, e.name.clone(), e, &source)?;
                    }
                }
                _ => {}
            }
        }
        // `file_format: definition/2`.
        for attr in list(&doc["attributes"]) {
            if let Some(a) = attribute(attr, "key", &source).map_err(|e| ctx("attributes", e))? {
                insert(&mut attributes, a.key.clone(), a, &source)?;
            }
        }
        for m in list(&doc["metrics"]) {
            if let Some(m) = metric(m, "name", &source).map_err(|e| ctx("metrics", e))? {
                insert(&mut metrics, m.name.clone(), m, &source)?;
            }
        }
        for e in list(&doc["events"]) {
            if let Some(e) = event(e, &source).map_err(|e| ctx("events", e))? {
                insert(&mut events, e.name.clone(), e, &source)?;
            }
        }
    }
    if model.schema_url.is_empty() {
        return Err(format!(
            "{}: no manifest.yaml with a schema_url",
            dir.display()
        ));
    }
    model.attributes = attributes.into_values().collect();
    model.metrics = metrics.into_values().collect();
    model.events = events.into_values().collect();
    Ok(model)
}

fn insert<T>(map: &mut BTreeMap<String, T>, key: String, value: T, source: &str) -> Result<()> {
    if map.contains_key(&key) {
        return Err(format!("{source}: `{key}` is defined twice in the model"));
    }
    map.insert(key, value);
    Ok(())
}

/// A YAML sequence, or nothing when the key is absent.
fn list(y: &Yaml) -> &[Yaml] {
    y.as_sequence().map(Vec::as_slice).unwrap_or_default()
}

fn required_str(y: &Yaml, key: &str) -> Result<String> {
    y[key]
        .as_str()
        .map(|s| s.trim().to_owned())
        .ok_or_else(|| format!("missing or non-string `{key}`"))
}

fn optional_str(y: &Yaml, key: &str) -> Option<String> {
    y[key]
        .as_str()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// `annotations.code_generation.exclude: true` asks generators to leave an item out (the
/// model uses it for old spellings whose constant names would clash with current ones).
fn excluded(y: &Yaml) -> bool {
    y["annotations"]["code_generation"]["exclude"].as_bool() == Some(true)
}

fn deprecation(y: &Yaml) -> Result<Option<Deprecation>> {
    let d = &y["deprecated"];
    if d.is_null() {
        return Ok(None);
    }
    if let Some(text) = d.as_str() {
        // Older models spell a deprecation as plain text.
        return Ok(Some(Deprecation {
            reason: "uncategorized".to_owned(),
            renamed_to: None,
            note: Some(text.trim().to_owned()),
        }));
    }
    Ok(Some(Deprecation {
        reason: required_str(d, "reason")?,
        renamed_to: optional_str(d, "renamed_to"),
        note: optional_str(d, "note"),
    }))
}

fn attribute(y: &Yaml, key_field: &str, source: &str) -> Result<Option<Attribute>> {
    if excluded(y) {
        return Ok(None);
    }
    let key = required_str(y, key_field)?;
    let ctx = |e: String| format!("`{key}`: {e}");
    let (ty, members) = match &y["type"] {
        Yaml::String(ty) => (ty.clone(), Vec::new()),
        t @ Yaml::Mapping(_) => {
            let mut members = Vec::new();
            for m in list(&t["members"]) {
                if let Some(m) = member(m).map_err(ctx)? {
                    members.push(m);
                }
            }
            let ty = if members
                .iter()
                .all(|m| matches!(m.value, MemberValue::Int(_)))
            {
                "int"
            } else if members
                .iter()
                .all(|m| matches!(m.value, MemberValue::Str(_)))
            {
                "string"
            } else {
                return Err(ctx("enum mixes string and int values".to_owned()));
            };
            (ty.to_owned(), members)
        }
        _ => return Err(ctx("missing or unknown `type`".to_owned())),
    };
    let array = ty.ends_with("[]") || ty.ends_with("[]]");
    Ok(Some(Attribute {
        brief: required_str(y, "brief").map_err(ctx)?,
        note: optional_str(y, "note"),
        stability: required_str(y, "stability").map_err(ctx)?,
        examples: examples(&y["examples"], array),
        deprecated: deprecation(y).map_err(ctx)?,
        source: source.to_owned(),
        key,
        ty,
        members,
    }))
}

fn member(y: &Yaml) -> Result<Option<Member>> {
    if excluded(y) {
        return Ok(None);
    }
    let id = required_str(y, "id")?;
    let value = match &y["value"] {
        Yaml::String(s) => MemberValue::Str(s.clone()),
        other => match other.as_i64() {
            Some(i) => MemberValue::Int(i),
            None => return Err(format!("member `{id}`: unsupported value {other:?}")),
        },
    };
    Ok(Some(Member {
        brief: optional_str(y, "brief"),
        note: optional_str(y, "note"),
        stability: required_str(y, "stability").map_err(|e| format!("member `{id}`: {e}"))?,
        deprecated: deprecation(y).map_err(|e| format!("member `{id}`: {e}"))?,
        id,
        value,
    }))
}

fn metric(y: &Yaml, name_field: &str, source: &str) -> Result<Option<Metric>> {
    if excluded(y) {
        return Ok(None);
    }
    let name = required_str(y, name_field)?;
    let ctx = |e: String| format!("`{name}`: {e}");
    Ok(Some(Metric {
        instrument: required_str(y, "instrument").map_err(ctx)?,
        unit: required_str(y, "unit").map_err(ctx)?,
        brief: required_str(y, "brief").map_err(ctx)?,
        note: optional_str(y, "note"),
        stability: required_str(y, "stability").map_err(ctx)?,
        deprecated: deprecation(y).map_err(ctx)?,
        source: source.to_owned(),
        name,
    }))
}

fn event(y: &Yaml, source: &str) -> Result<Option<Event>> {
    if excluded(y) {
        return Ok(None);
    }
    let name = required_str(y, "name")?;
    let ctx = |e: String| format!("`{name}`: {e}");
    Ok(Some(Event {
        brief: required_str(y, "brief").map_err(ctx)?,
        note: optional_str(y, "note"),
        stability: required_str(y, "stability").map_err(ctx)?,
        deprecated: deprecation(y).map_err(ctx)?,
        source: source.to_owned(),
        name,
    }))
}

/// The examples of an attribute, each rendered as a literal. For array types a flat list of
/// scalars is one example; a list of lists is several.
fn examples(y: &Yaml, array_type: bool) -> Vec<String> {
    match y {
        Yaml::Null => Vec::new(),
        Yaml::Sequence(items)
            if array_type && items.iter().all(|i| !matches!(i, Yaml::Sequence(_))) =>
        {
            vec![literal(y)]
        }
        Yaml::Sequence(items) => items.iter().map(literal).collect(),
        scalar => vec![literal(scalar)],
    }
}

/// A YAML value as a short literal: strings quoted and escaped like Rust/JSON strings.
pub(crate) fn literal(y: &Yaml) -> String {
    match y {
        Yaml::String(s) => format!("{s:?}"),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Sequence(items) => {
            let items: Vec<_> = items.iter().map(literal).collect();
            format!("[{}]", items.join(", "))
        }
        Yaml::Mapping(map) => {
            let entries: Vec<_> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", literal(k), literal(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        Yaml::Tagged(tagged) => literal(&tagged.value),
        Yaml::Null => "null".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        load(&crate::crate_dir().join("model")).expect("the copied model loads")
    }

    fn attribute<'m>(model: &'m Model, key: &str) -> &'m Attribute {
        model.attributes.iter().find(|a| a.key == key).expect(key)
    }

    #[test]
    fn reads_the_copied_model() {
        let model = model();
        assert_eq!(model.schema_url, "https://opentelemetry.io/schemas/1.44.0");
        assert_eq!(model.version(), "1.44.0");
        assert_eq!(model.attributes.len(), 937);
        assert_eq!(model.metrics.len(), 539);
        assert_eq!(model.events.len(), 32);
        assert!(
            model.attributes.windows(2).all(|w| w[0].key < w[1].key),
            "sorted"
        );
    }

    #[test]
    fn enum_attributes_and_their_members() {
        let model = model();
        let method = attribute(&model, "http.request.method");
        assert_eq!(
            (method.ty.as_str(), method.stability.as_str()),
            ("string", "stable")
        );
        assert_eq!(method.members.len(), 11);
        assert_eq!(method.examples, ["\"GET\"", "\"POST\"", "\"HEAD\""]);
        let query = method
            .members
            .iter()
            .find(|m| m.id == "query")
            .expect("QUERY");
        assert_eq!(query.value, MemberValue::Str("QUERY".into()));
        assert_eq!(query.stability, "development");

        let grpc = attribute(&model, "rpc.grpc.status_code");
        assert_eq!(grpc.ty, "int");
        assert!(grpc
            .members
            .iter()
            .any(|m| m.id == "not_found" && m.value == MemberValue::Int(5)));
    }

    #[test]
    fn deprecations_and_exclusions() {
        let model = model();
        let old = attribute(&model, "http.method")
            .deprecated
            .clone()
            .expect("deprecated");
        assert_eq!(old.reason, "renamed");
        assert_eq!(old.renamed_to.as_deref(), Some("http.request.method"));
        let target = attribute(&model, "http.target")
            .deprecated
            .clone()
            .expect("deprecated");
        assert_eq!(
            target.note.as_deref(),
            Some("Split to `url.path` and `url.query`.")
        );
        // `code_generation: exclude` leaves out spellings that would clash.
        assert!(!model
            .attributes
            .iter()
            .any(|a| a.key == "process.context_switch_type"));
        let platform = attribute(&model, "cloud.platform");
        assert!(platform.members.iter().any(|m| m.id == "azure.vm"));
        assert!(!platform.members.iter().any(|m| m.id == "azure_vm"));
    }

    #[test]
    fn metrics_events_and_the_second_file_format() {
        let model = model();
        let duration = model
            .metrics
            .iter()
            .find(|m| m.name == "http.server.request.duration")
            .expect("metric");
        assert_eq!(
            (
                duration.instrument.as_str(),
                duration.unit.as_str(),
                duration.stability.as_str()
            ),
            ("histogram", "s", "stable")
        );
        // `file_format: definition/2` files: `key:` attributes and `name:` metrics.
        assert_eq!(attribute(&model, "client.address").stability, "stable");
        let energy = model
            .metrics
            .iter()
            .find(|m| m.name == "hw.energy")
            .expect("hw.energy");
        assert_eq!(
            (energy.instrument.as_str(), energy.unit.as_str()),
            ("counter", "J")
        );
        let exception = model
            .events
            .iter()
            .find(|e| e.name == "exception")
            .expect("event");
        assert_eq!(exception.stability, "stable");
    }

    #[test]
    fn examples_of_array_types() {
        let model = model();
        assert_eq!(
            attribute(&model, "http.request.header").examples,
            ["[\"application/json\"]", "[\"1.2.3.4\", \"1.2.3.5\"]"]
        );
        assert_eq!(
            attribute(&model, "http.request.body.size").examples,
            ["3495"]
        );
    }
}
