//! Generates the sources of `opentelemetry-semantic-conventions` from the YAML model kept in
//! `opentelemetry-semantic-conventions/model/`.
//!
//! ```text
//! cargo run -p semconv-generator             # regenerate src/{schema,attribute,metric,event}.rs
//! cargo run -p semconv-generator -- --check  # fail if the committed sources are out of date
//! cargo run -p semconv-generator -- import PATH/TO/semantic-conventions
//!                                            # replace model/ with a release's model, regenerate
//! ```
//!
//! The output goes through `rustfmt` (with the workspace's `rustfmt.toml`), so it is exactly
//! what `cargo fmt` keeps.
// A command-line tool: it reports on standard output and error.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod markdown;
mod model;
mod render;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

const USAGE: &str = "usage: semconv-generator [--check] [--model DIR] [--out DIR]\n       \
                     semconv-generator import SEMANTIC_CONVENTIONS_CHECKOUT";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("semconv-generator: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The semantic conventions crate's directory (this package lives in its `generator/`).
///
/// `cargo run` sets `CARGO_MANIFEST_DIR` for the process: that is read first, so a binary
/// reused from a shared target directory built in another checkout still finds this one. The
/// compile-time value is the fallback (a binary run directly).
fn crate_dir() -> PathBuf {
    let here = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    here.parent()
        .map_or_else(|| here.clone(), Path::to_path_buf)
}

fn run(args: Vec<String>) -> Result<(), String> {
    let krate = crate_dir();
    let mut model_dir = krate.join("model");
    let mut out_dir = krate.join("src");
    let mut check = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--model" => model_dir = args.next().ok_or(USAGE)?.into(),
            "--out" => out_dir = args.next().ok_or(USAGE)?.into(),
            "import" => {
                let from = PathBuf::from(args.next().ok_or(USAGE)?);
                import(&from, &model_dir)?;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ => return Err(format!("unknown argument `{arg}`\n{USAGE}")),
        }
    }

    let model = model::load(&model_dir)?;
    let files = render::render(&model)?;
    let rustfmt_config = krate.parent().map(|root| root.join("rustfmt.toml"));
    let mut stale = Vec::new();
    for (name, source) in files {
        let formatted = rustfmt(&source, rustfmt_config.as_deref())?;
        let path = out_dir.join(name);
        let current = fs::read_to_string(&path).unwrap_or_default();
        if current == formatted {
            continue;
        }
        if check {
            stale.push(path.display().to_string());
        } else {
            fs::write(&path, formatted).map_err(|e| format!("{}: {e}", path.display()))?;
            println!("wrote {}", path.display());
        }
    }
    if !stale.is_empty() {
        return Err(format!(
            "out of date with the model: {}\nrun `cargo run -p semconv-generator` and commit the result",
            stale.join(", ")
        ));
    }
    summary(&model);
    Ok(())
}

/// Formats `source` with rustfmt, the workspace's configuration and edition.
fn rustfmt(source: &str, config: Option<&Path>) -> Result<String, String> {
    let program = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_owned());
    let mut cmd = Command::new(&program);
    cmd.args(["--edition", "2021", "--emit", "stdout"]);
    if let Some(config) = config.filter(|c| c.exists()) {
        cmd.arg("--config-path").arg(config);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    // Write on another thread: rustfmt may fill its stdout pipe before reading all of stdin.
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    let input = source.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt input thread panicked".to_owned())?
        .map_err(|e| format!("writing to rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt output: {e}"))
}

/// Replaces `model_dir` with the model files of a semantic-conventions checkout that the
/// generator reads, and its licence.
fn import(checkout: &Path, model_dir: &Path) -> Result<(), String> {
    let source = checkout.join("model");
    let files = model::yaml_files(&source)?;
    if model_dir.exists() {
        fs::remove_dir_all(model_dir).map_err(|e| format!("{}: {e}", model_dir.display()))?;
    }
    let mut copied = 0;
    for file in files {
        if !model::is_relevant(&model::parse_file(&file)?) {
            continue;
        }
        let relative = file.strip_prefix(&source).map_err(|e| e.to_string())?;
        let target = model_dir.join(relative);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::copy(&file, &target).map_err(|e| format!("{}: {e}", file.display()))?;
        copied += 1;
    }
    fs::copy(checkout.join("LICENSE"), model_dir.join("LICENSE"))
        .map_err(|e| format!("{}: {e}", checkout.join("LICENSE").display()))?;
    println!("imported {copied} model files into {}", model_dir.display());
    Ok(())
}

fn summary(model: &model::Model) {
    let stable = |s: &str| s == "stable";
    let count = |items: &mut dyn Iterator<Item = (&str, bool)>| {
        let (mut total, mut stable_n, mut deprecated) = (0, 0, 0);
        for (stability, is_deprecated) in items {
            total += 1;
            stable_n += usize::from(stable(stability));
            deprecated += usize::from(is_deprecated);
        }
        format!(
            "{total} ({stable_n} stable, {} experimental; {deprecated} deprecated)",
            total - stable_n
        )
    };
    let attrs = &model.attributes;
    println!(
        "semantic conventions v{}: attributes {}, enum values {}, metrics {}, events {}",
        model.version(),
        count(
            &mut attrs
                .iter()
                .map(|a| (a.stability.as_str(), a.deprecated.is_some()))
        ),
        count(
            &mut attrs
                .iter()
                .flat_map(|a| &a.members)
                .map(|m| (m.stability.as_str(), m.deprecated.is_some()))
        ),
        count(
            &mut model
                .metrics
                .iter()
                .map(|m| (m.stability.as_str(), m.deprecated.is_some()))
        ),
        count(
            &mut model
                .events
                .iter()
                .map(|e| (e.stability.as_str(), e.deprecated.is_some()))
        ),
    );
}
