//! `kura-tui export --out` writes where it is told: a regular file is
//! replaced atomically, `-` is standard output, and a FIFO, a device, a
//! symbolic link or `/dev/fd/N` is written through, never replaced.

mod cli_support;

use std::fs;
use std::path::Path;

use cli_support::{Env, first_cluster, s};

fn ids(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn regular_file_is_replaced_atomically() {
    let env = Env::new();
    let p = env.analysed("p", 40);
    let (cluster, count) = first_cluster(&env, &p);
    let out_dir = env.path("out");
    fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("c.jsonl");
    fs::write(&out, "old content\n").unwrap();
    let said = env.ok(&["export", s(&p), "--cluster", &cluster, "--out", s(&out)]);
    assert!(
        said.contains(&format!("exported {count} conversations")),
        "{said}"
    );
    assert_eq!(ids(&fs::read_to_string(&out).unwrap()).len(), count);
    // Nothing but the file is left in its directory (no temporaries).
    let names: Vec<_> = fs::read_dir(&out_dir).unwrap().collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // A directory is refused, not replaced.
    let err = env.fails(&["export", s(&p), "--cluster", &cluster, "--out", s(&out_dir)]);
    assert!(err.contains("is a directory"), "{err}");
    assert!(out_dir.is_dir());
}

#[test]
fn dash_is_standard_output() {
    let env = Env::new();
    let p = env.analysed("p", 40);
    let (cluster, count) = first_cluster(&env, &p);
    let out = env.run(&["export", s(&p), "--cluster", &cluster, "--out", "-"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    // Only JSONL on stdout; the summary goes to stderr.
    assert_eq!(ids(&stdout).len(), count);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("exported"), "{stderr}");
    assert!(!Path::new("-").exists());
}

#[cfg(unix)]
#[test]
fn fifo_symlink_and_devices_are_written_through() {
    let env = Env::new();
    let p = env.analysed("p", 40);
    let (cluster, count) = first_cluster(&env, &p);

    // A FIFO, read by a thread while the export writes it.
    let fifo = env.path("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
        };
        env.ok(&["export", s(&p), "--cluster", &cluster, "--out", s(&fifo)]);
        let read = reader.join().unwrap();
        assert_eq!(ids(&read).len(), count);
        use std::os::unix::fs::FileTypeExt;
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    }

    // A link to a file stays a link; the file gets the lines.
    let target = env.path("target.jsonl");
    fs::write(&target, "old\n").unwrap();
    let link = env.path("link.jsonl");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    env.ok(&["export", s(&p), "--cluster", &cluster, "--out", s(&link)]);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(ids(&fs::read_to_string(&target).unwrap()).len(), count);

    // A character device is opened, not replaced.
    env.ok(&["export", s(&p), "--cluster", &cluster, "--out", "/dev/null"]);
    assert!(is_char_device("/dev/null"));
}

#[cfg(target_os = "linux")]
#[test]
fn dev_full_says_no_space_and_stays_a_device() {
    let env = Env::new();
    let p = env.analysed("p", 40);
    let (cluster, _) = first_cluster(&env, &p);
    let err = env.fails(&["export", s(&p), "--cluster", &cluster, "--out", "/dev/full"]);
    assert!(err.contains("/dev/full"), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert_eq!(err.matches("os error").count(), 1, "{err}");
    assert!(is_char_device("/dev/full"));
}

#[cfg(target_os = "linux")]
#[test]
fn process_substitution_works() {
    let env = Env::new();
    let p = env.analysed("p", 40);
    let (cluster, count) = first_cluster(&env, &p);
    let counted = env.path("count.txt");
    // `>(…)` hands the command a /dev/fd/N path; `wait $!` waits for `wc`.
    let script = format!(
        "'{}' export '{}' --cluster '{}' --out >(wc -l > '{}'); wait $!",
        env!("CARGO_BIN_EXE_kura-tui"),
        s(&p),
        cluster,
        s(&counted)
    );
    let Ok(out) = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env("KURA_CONFIG_DIR", env.path("config"))
        .env("KURA_DATA_DIR", env.path("data"))
        .output()
    else {
        return; // no bash here
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.is_empty() || !stderr.contains("error"), "{stderr}");
    let text = fs::read_to_string(&counted).unwrap();
    assert_eq!(text.trim().parse::<usize>().unwrap(), count, "{text}");
}

#[cfg(target_os = "linux")]
#[test]
fn dev_stdout_reaches_the_file_the_shell_opened() {
    let env = Env::new();
    let p = env.analysed("p", 40);
    let (cluster, count) = first_cluster(&env, &p);
    let file = env.path("appended.jsonl");
    fs::write(&file, "{\"id\": \"first\"}\n").unwrap();
    let appended = fs::OpenOptions::new().append(true).open(&file).unwrap();
    let out = env
        .bin()
        .args([
            "export",
            s(&p),
            "--cluster",
            &cluster,
            "--out",
            "/dev/stdout",
        ])
        .stdout(appended)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids = ids(&fs::read_to_string(&file).unwrap());
    assert_eq!(ids.len(), count + 1);
    assert_eq!(ids[0], "first");
    assert!(fs::symlink_metadata(&file).unwrap().is_file());
}

#[cfg(unix)]
fn is_char_device(path: &str) -> bool {
    use std::os::unix::fs::FileTypeExt;
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_char_device())
}
