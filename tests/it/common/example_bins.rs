//! The project's examples (`examples/*.rs`) as programs for tests to run. `cargo test --test it`
//! does not build the examples, so the first test that needs one builds them all (`cargo build
//! --examples`, into this test's own target directory and profile, with its features), once.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The profile directory of this test binary (`target/debug`): `target/debug/deps/examples-*`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>")
        .to_path_buf()
}

/// Every feature of the package (Cargo.toml's `[features]`, checked by
/// `examples::the_feature_list_is_cargo_tomls`), with whether this test was built with it.
pub const FEATURES: &[(&str, bool)] = &[
    ("default", cfg!(feature = "default")),
    ("decode", cfg!(feature = "decode")),
    ("decode-wav", cfg!(feature = "decode-wav")),
    ("decode-aiff", cfg!(feature = "decode-aiff")),
    ("decode-flac", cfg!(feature = "decode-flac")),
    ("decode-mp3", cfg!(feature = "decode-mp3")),
    ("decode-ogg", cfg!(feature = "decode-ogg")),
    ("decode-mp4", cfg!(feature = "decode-mp4")),
    ("decode-aac", cfg!(feature = "decode-aac")),
    ("decode-mkv", cfg!(feature = "decode-mkv")),
    ("decode-caf", cfg!(feature = "decode-caf")),
    ("decode-core", cfg!(feature = "decode-core")),
    ("encode-mp3", cfg!(feature = "encode-mp3")),
    ("encode-flac", cfg!(feature = "encode-flac")),
    ("encode-opus", cfg!(feature = "encode-opus")),
    ("encode-vorbis", cfg!(feature = "encode-vorbis")),
    ("device", cfg!(feature = "device")),
    ("net", cfg!(feature = "net")),
    ("json", cfg!(feature = "json")),
    ("cli", cfg!(feature = "cli")),
];

fn enabled_features() -> Vec<&'static str> {
    FEATURES.iter().filter(|f| f.1).map(|f| f.0).collect()
}

/// The path of example `name`, built (all examples, once) if need be.
pub fn example(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    let profile = profile_dir();
    BUILT.get_or_init(|| {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "--examples", "--quiet", "--manifest-path"])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));
        // The features this test was built with: the library the examples link is then the
        // one `cargo test` built (and `cargo test` builds the examples too), not a second
        // build of the library with the default features. With every feature, as the README's
        // `cargo test --workspace --all-features` (CI) builds: the workspace's members unify
        // their dependencies' features (the Python crate's ndarray, ...), so a build of this
        // package alone would build the library and its dependents again.
        if FEATURES.iter().all(|f| f.1) {
            cmd.args(["--workspace", "--all-features"]);
        } else {
            cmd.args([
                "--no-default-features",
                "--features",
                &enabled_features().join(","),
            ]);
        }
        // Without the variables `cargo test` set for this test: ring's build script reruns
        // when CARGO_PKG_NAME and friends change (rerun-if-env-changed), and with it rustls
        // and the library, 80 s of build in every run.
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            let set_for_the_test = ["CARGO_PKG_", "CARGO_MANIFEST_", "CARGO_BIN_EXE_"]
                .iter()
                .any(|p| key.starts_with(p))
                || [
                    "CARGO_CRATE_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                    "CARGO_TARGET_TMPDIR",
                ]
                .contains(&key.as_ref());
            if set_for_the_test {
                cmd.env_remove(key.as_ref());
            }
        }
        // The same target directory and profile as this test, so nothing is built twice.
        if let Some(target) = profile.parent() {
            cmd.arg("--target-dir").arg(target);
        }
        match profile.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => {}
            Some("release") => {
                cmd.arg("--release");
            }
            Some(other) => {
                cmd.args(["--profile", other]);
            }
        }
        let out = cmd.output().expect("cargo runs");
        assert!(
            out.status.success(),
            "cargo build --examples failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    let exe = profile
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(exe.exists(), "{} was not built", exe.display());
    exe
}
