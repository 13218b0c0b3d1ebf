//! Dynatrace host metadata: where a OneAgent runs, reading the "magic" indirection file
//! names a properties file whose `key=value` lines are dimensions for every line (as
//! Dynatrace's metric libraries do).

use std::path::Path;

/// The indirection file, read relative to the working directory (the OneAgent answers it).
const INDIRECTION_FILE: &str = "dt_metadata_e617c525669e072eebe3d0f08212e8f2.properties";

/// The metadata dimensions, in file order; empty without a OneAgent.
pub(crate) fn read() -> Vec<(String, String)> {
    read_from(Path::new(INDIRECTION_FILE))
}

pub(crate) fn read_from(indirection: &Path) -> Vec<(String, String)> {
    let Ok(target) = std::fs::read_to_string(indirection) else {
        opentelemetry_api::otel_debug!(
            "DynatraceExporter.NoMetadata",
            "no Dynatrace metadata file (normal without a OneAgent)"
        );
        return Vec::new();
    };
    let target = target.trim_end_matches(['\n', '\r']);
    if target.is_empty() {
        return Vec::new();
    }
    match std::fs::read_to_string(target) {
        Ok(content) => parse(&content),
        Err(e) => {
            opentelemetry_api::otel_warn!(
                "DynatraceExporter.MetadataUnreadable",
                "the Dynatrace metadata file {} cannot be read: {}",
                target,
                e
            );
            Vec::new()
        }
    }
}

/// `key=value` lines (split at the first `=`, both sides non-empty, surrounding white space
/// removed); a later line replaces an earlier one with the same key, in the earlier place.
fn parse(content: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in content.lines() {
        let Some((key, value)) = line.trim().split_once('=') else {
            continue;
        };
        if key.is_empty() || value.is_empty() {
            continue;
        }
        match out.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.to_owned(),
            None => out.push((key.to_owned(), value.to_owned())),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indirection_and_parsing() {
        let dir = std::env::temp_dir().join(format!("dt-metadata-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let props = dir.join("host.properties");
        std::fs::write(
            &props,
            "dt.entity.host=HOST-1\n  k = v=w \nnovalue=\n=nokey\njunk\ndt.entity.host=HOST-2\n",
        )
        .unwrap();
        let indirection = dir.join(INDIRECTION_FILE);
        std::fs::write(&indirection, props.to_str().unwrap()).unwrap();
        assert_eq!(
            read_from(&indirection),
            [
                ("dt.entity.host".to_owned(), "HOST-2".to_owned()),
                ("k ".to_owned(), " v=w".to_owned()),
            ]
        );
        assert!(read_from(&dir.join("missing")).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
