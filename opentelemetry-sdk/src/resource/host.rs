//! Detectors for the process, the host and the operating system, per the semantic conventions.

use super::{Resource, ResourceDetector};
use opentelemetry_api::{Array, KeyValue, StringValue, Value};
use std::time::Duration;

/// The keys these detectors set. Their conventions are not stable yet (`process.*` is a
/// release candidate, `host.*` and `os.*` are in development), so they are not taken from
/// `opentelemetry-semantic-conventions`: that needs its `semconv_experimental` feature, which
/// Cargo would then turn on for every crate of an application using the SDK. A test checks
/// them (and the values below) against the generated constants.
mod key {
    pub(super) const PROCESS_PID: &str = "process.pid";
    pub(super) const PROCESS_EXECUTABLE_NAME: &str = "process.executable.name";
    pub(super) const PROCESS_EXECUTABLE_PATH: &str = "process.executable.path";
    pub(super) const PROCESS_COMMAND_ARGS: &str = "process.command_args";
    pub(super) const PROCESS_RUNTIME_NAME: &str = "process.runtime.name";
    pub(super) const PROCESS_OWNER: &str = "process.owner";
    pub(super) const HOST_NAME: &str = "host.name";
    pub(super) const HOST_ARCH: &str = "host.arch";
    pub(super) const HOST_ID: &str = "host.id";
    pub(super) const OS_TYPE: &str = "os.type";
    pub(super) const OS_DESCRIPTION: &str = "os.description";
    pub(super) const OS_NAME: &str = "os.name";
    pub(super) const OS_VERSION: &str = "os.version";
}

/// `process.pid`, `process.executable.name`, `process.executable.path`,
/// `process.command_args`, `process.runtime.name` (`rustc`), and `process.owner` where known.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcessResourceDetector;

impl ResourceDetector for ProcessResourceDetector {
    fn detect(&self, _timeout: Duration) -> Resource {
        let mut attrs = vec![KeyValue::new(key::PROCESS_PID, std::process::id() as i64)];
        if let Ok(exe) = std::env::current_exe() {
            if let Some(name) = exe.file_name() {
                attrs.push(KeyValue::new(
                    key::PROCESS_EXECUTABLE_NAME,
                    name.to_string_lossy().into_owned(),
                ));
            }
            attrs.push(KeyValue::new(
                key::PROCESS_EXECUTABLE_PATH,
                exe.to_string_lossy().into_owned(),
            ));
        }
        let args: Vec<StringValue> = std::env::args_os()
            .map(|a| a.to_string_lossy().into_owned().into())
            .collect();
        attrs.push(KeyValue::new(
            key::PROCESS_COMMAND_ARGS,
            Value::Array(Array::String(args)),
        ));
        attrs.push(KeyValue::new(key::PROCESS_RUNTIME_NAME, "rustc"));
        if let Some(user) = std::env::var_os("USER").or_else(|| std::env::var_os("USERNAME")) {
            attrs.push(KeyValue::new(
                key::PROCESS_OWNER,
                user.to_string_lossy().into_owned(),
            ));
        }
        Resource::from_schema_url(attrs, super::SEMCONV_SCHEMA_URL)
    }
}

/// `host.name`, `host.arch` and, on Linux, `host.id` (the machine ID).
#[derive(Clone, Copy, Debug, Default)]
pub struct HostResourceDetector;

/// The semantic-conventions value of `host.arch` for a Rust target architecture.
pub(crate) fn host_arch(arch: &str) -> Option<&'static str> {
    Some(match arch {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "arm" => "arm32",
        "x86" => "x86",
        "powerpc" => "ppc32",
        "powerpc64" => "ppc64",
        "s390x" => "s390x",
        _ => return None,
    })
}

fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

impl ResourceDetector for HostResourceDetector {
    fn detect(&self, _timeout: Duration) -> Resource {
        let mut attrs = Vec::new();
        let name = read_trimmed("/proc/sys/kernel/hostname")
            .or_else(|| read_trimmed("/etc/hostname"))
            .or_else(|| std::env::var("HOSTNAME").ok())
            .or_else(|| std::env::var("COMPUTERNAME").ok());
        if let Some(name) = name {
            attrs.push(KeyValue::new(key::HOST_NAME, name));
        }
        if let Some(arch) = host_arch(std::env::consts::ARCH) {
            attrs.push(KeyValue::new(key::HOST_ARCH, arch));
        }
        if let Some(id) =
            read_trimmed("/etc/machine-id").or_else(|| read_trimmed("/var/lib/dbus/machine-id"))
        {
            attrs.push(KeyValue::new(key::HOST_ID, id));
        }
        Resource::from_schema_url(attrs, super::SEMCONV_SCHEMA_URL)
    }
}

/// `os.type` and, on Linux, `os.description`, `os.name` and `os.version` from
/// `/etc/os-release`.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsResourceDetector;

/// The semantic-conventions value of `os.type` for a Rust target OS.
pub(crate) fn os_type(os: &str) -> &str {
    match os {
        "macos" | "ios" => "darwin",
        "dragonfly" => "dragonflybsd",
        "solaris" | "illumos" => "solaris",
        other => other,
    }
}

fn os_release_field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().trim_matches('"'))
        .filter(|v| !v.is_empty())
}

impl ResourceDetector for OsResourceDetector {
    fn detect(&self, _timeout: Duration) -> Resource {
        let mut attrs = vec![KeyValue::new(
            key::OS_TYPE,
            os_type(std::env::consts::OS).to_owned(),
        )];
        if let Ok(text) = std::fs::read_to_string("/etc/os-release") {
            for (field, attr) in [
                ("PRETTY_NAME", key::OS_DESCRIPTION),
                ("NAME", key::OS_NAME),
                ("VERSION_ID", key::OS_VERSION),
            ] {
                if let Some(v) = os_release_field(&text, field) {
                    attrs.push(KeyValue::new(attr, v.to_owned()));
                }
            }
        }
        Resource::from_schema_url(attrs, super::SEMCONV_SCHEMA_URL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arch_and_os_map_to_semantic_convention_values() {
        assert_eq!(host_arch("x86_64"), Some("amd64"));
        assert_eq!(host_arch("aarch64"), Some("arm64"));
        assert_eq!(host_arch("riscv64"), None);
        assert_eq!(os_type("macos"), "darwin");
        assert_eq!(os_type("linux"), "linux");
    }

    #[test]
    fn keys_and_values_are_the_semantic_conventions() {
        use opentelemetry_semantic_conventions::attribute as semconv;
        let keys = [
            (key::PROCESS_PID, semconv::PROCESS_PID),
            (
                key::PROCESS_EXECUTABLE_NAME,
                semconv::PROCESS_EXECUTABLE_NAME,
            ),
            (
                key::PROCESS_EXECUTABLE_PATH,
                semconv::PROCESS_EXECUTABLE_PATH,
            ),
            (key::PROCESS_COMMAND_ARGS, semconv::PROCESS_COMMAND_ARGS),
            (key::PROCESS_RUNTIME_NAME, semconv::PROCESS_RUNTIME_NAME),
            (key::PROCESS_OWNER, semconv::PROCESS_OWNER),
            (key::HOST_NAME, semconv::HOST_NAME),
            (key::HOST_ARCH, semconv::HOST_ARCH),
            (key::HOST_ID, semconv::HOST_ID),
            (key::OS_TYPE, semconv::OS_TYPE),
            (key::OS_DESCRIPTION, semconv::OS_DESCRIPTION),
            (key::OS_NAME, semconv::OS_NAME),
            (key::OS_VERSION, semconv::OS_VERSION),
        ];
        for (ours, convention) in keys {
            assert_eq!(ours, convention);
        }
        use semconv::{host_arch as arch, os_type as os};
        let arches = [
            arch::AMD64,
            arch::ARM32,
            arch::ARM64,
            arch::PPC32,
            arch::PPC64,
            arch::S390X,
            arch::X86,
        ];
        for rust in [
            "x86_64",
            "aarch64",
            "arm",
            "x86",
            "powerpc",
            "powerpc64",
            "s390x",
        ] {
            let value = host_arch(rust).unwrap();
            assert!(arches.contains(&value), "{rust} -> {value}");
        }
        for rust in [
            "macos",
            "dragonfly",
            "solaris",
            "linux",
            "windows",
            "freebsd",
        ] {
            let value = os_type(rust);
            assert!(
                [
                    os::DARWIN,
                    os::DRAGONFLYBSD,
                    os::SOLARIS,
                    os::LINUX,
                    os::WINDOWS,
                    os::FREEBSD
                ]
                .contains(&value),
                "{rust} -> {value}"
            );
        }
    }

    #[test]
    fn os_release_parsing() {
        let text = "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
        assert_eq!(os_release_field(text, "NAME"), Some("Debian GNU/Linux"));
        assert_eq!(os_release_field(text, "VERSION_ID"), Some("12"));
        assert_eq!(os_release_field(text, "MISSING"), None);
    }

    #[test]
    fn detectors_find_this_process_and_host() {
        let p = ProcessResourceDetector.detect(Duration::ZERO);
        assert_eq!(
            p.get(&"process.pid".into()),
            Some(&Value::I64(std::process::id() as i64))
        );
        assert!(p.get(&"process.executable.name".into()).is_some());
        assert!(matches!(
            p.get(&"process.command_args".into()),
            Some(Value::Array(_))
        ));
        let h = HostResourceDetector.detect(Duration::ZERO);
        if cfg!(target_os = "linux") {
            assert!(h.get(&"host.name".into()).is_some());
        }
        for r in [&p, &h] {
            assert_eq!(r.schema_url(), Some(super::super::SEMCONV_SCHEMA_URL));
        }
        let o = OsResourceDetector.detect(Duration::ZERO);
        assert_eq!(o.schema_url(), Some(super::super::SEMCONV_SCHEMA_URL));
        assert_eq!(
            o.get(&"os.type".into()).unwrap().as_str(),
            os_type(std::env::consts::OS)
        );
    }
}
