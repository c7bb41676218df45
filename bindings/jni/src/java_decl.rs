//! `Native.java`, written from the `native!` entry points (tests only), as signalapp/libsignal's
//! `gen_java_decl` writes its `Native.java` from its bridge functions.
//!
//! Each method's name, parameters and doc come from its Rust definition, and each type from the
//! `JAVA` spelling of its conversion in `convert`, so a Java declaration cannot disagree with its
//! entry point: a mismatch would be a JVM crash or an `UnsatisfiedLinkError` at run time, found
//! only if a test happened to call that method. `native_java_is_current` fails when the committed
//! file differs; with `NUVERA_BLESS=1` it rewrites it.

#![cfg(test)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One `native!` invocation's entry points (its `NATIVES`).
pub(crate) struct Module {
    /// `module_path!()` of the invocation.
    pub(crate) path: &'static str,
    /// In the order of their definitions.
    pub(crate) methods: &'static [Method],
}

/// One entry point as Java declares it.
pub(crate) struct Method {
    /// The Java name, which is also the Rust `fn` name (the exported symbol's suffix).
    pub(crate) name: &'static str,
    /// The Rust doc comment, one literal per line.
    pub(crate) doc: &'static [&'static str],
    /// `(rust_name, JavaType)` per parameter.
    pub(crate) params: &'static [(&'static str, &'static str)],
    /// The Java return type.
    pub(crate) returns: &'static str,
    /// Declared `throws NuveraSigningException` (all but `#[native(infallible)]`).
    pub(crate) throws: bool,
}

/// Every module with entry points, in the order of `Native.java`.
const MODULES: &[Module] = &[
    crate::boundary::NATIVES,
    crate::errors::NATIVES,
    crate::keys::NATIVES,
    crate::signing::NATIVES,
    crate::body::NATIVES,
    crate::multipart::NATIVES,
    crate::verify::NATIVES,
    crate::explain::NATIVES,
    crate::client::NATIVES,
    crate::remote::NATIVES,
];

/// The generated file, relative to the workspace root.
const JAVA_FILE: &str = "java/src/main/java/global/nuvera/signing/Native.java";

/// The command that rewrites [`JAVA_FILE`].
const BLESS: &str = "NUVERA_BLESS=1 cargo test -p nuvera-signing-jni native_java";

/// Java's line width in this project; longer declarations continue on lines indented by 12.
const WIDTH: usize = 120;

/// The whole of `Native.java`.
fn render() -> String {
    let types = MODULES
        .iter()
        .flat_map(|m| m.methods)
        .flat_map(|m| m.params.iter().map(|(_, ty)| *ty).chain([m.returns]))
        .collect::<Vec<_>>();
    let uses = |name: &str| types.iter().any(|ty| ty.contains(name));
    let mut imports = String::new();
    if uses("InputStream") {
        imports.push_str("import java.io.InputStream;\n");
    }
    if uses("@Nullable") {
        imports.push_str("import org.jspecify.annotations.Nullable;\n");
    }

    let mut out = format!(
        "\
// Generated from the `native!` entry points in bindings/jni/src by
//     {BLESS}
// Do not edit: change the Rust entry point (or its types' `JAVA` in convert.rs) and run that command.
package global.nuvera.signing;

{imports}
/**
 * The native methods of {{@code bindings/jni}}, one per Rust entry point; {{@link NativeLibrary}} loads
 * their library. A nullable box ({{@code Long}}, {{@code Boolean}}, …) is \"absent, the core's default\"; a
 * handle is a {{@code long}} owned by {{@link NativeHandle}}; failures are thrown as
 * {{@link NuveraSigningException}}.
 */
final class Native {{
    static {{
        NativeLibrary.load();
    }}

    private Native() {{}}
"
    );
    for module in MODULES {
        let file = module.path.rsplit("::").next().unwrap_or(module.path);
        let _ = write!(out, "\n    // bindings/jni/src/{file}.rs\n");
        let mut spaced = false;
        for (i, method) in module.methods.iter().enumerate() {
            // A documented method stands apart from its neighbours.
            let documented = !method.doc.is_empty();
            if i > 0 && (documented || spaced) {
                out.push('\n');
            }
            spaced = documented;
            out.push_str(&javadoc(method.doc));
            out.push_str(&declaration(method));
        }
    }
    out.push_str("}\n");
    out
}

/// A method's `static native …;`, wrapped at [`WIDTH`].
fn declaration(method: &Method) -> String {
    let mut items: Vec<String> = method
        .params
        .iter()
        .map(|(name, ty)| format!("{ty} {},", camel_case(name)))
        .collect();
    match items.last_mut() {
        Some(last) => {
            last.pop();
            last.push(')');
        }
        None => items.push(")".to_owned()),
    }
    if method.throws {
        items.push("throws NuveraSigningException;".to_owned());
    } else if let Some(last) = items.last_mut() {
        last.push(';');
    }
    let mut lines = vec![format!(
        "    static native {} {}(",
        method.returns, method.name
    )];
    for (i, item) in items.iter().enumerate() {
        let line = lines.last_mut().expect("one line at least");
        if i == 0 && !item.starts_with("throws") {
            line.push_str(item);
        } else if line.len() + 1 + item.len() <= WIDTH {
            line.push(' ');
            line.push_str(item);
        } else {
            lines.push(format!("            {item}"));
        }
    }
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// A Rust doc comment as Javadoc, its paragraphs filled to [`WIDTH`]: `code` spans become
/// `{@code …}` (never broken across lines), HTML's specials are escaped outside them.
fn javadoc(doc: &[&str]) -> String {
    if doc.is_empty() {
        return String::new();
    }
    let mut text = String::new();
    let mut code = false;
    for line in doc {
        let line = line.strip_prefix(' ').unwrap_or(line);
        if line.trim().is_empty() {
            text.push_str("\n<p>");
            continue;
        }
        text.push(' ');
        for c in line.chars() {
            match (c, code) {
                ('`', false) => text.push_str("{@code\0"),
                (' ', true) => text.push('\0'),
                ('`', true) => text.push('}'),
                ('&', false) => text.push_str("&amp;"),
                ('<', false) => text.push_str("&lt;"),
                ('>', false) => text.push_str("&gt;"),
                (c, _) => text.push(c),
            }
            code ^= c == '`';
        }
    }
    assert!(!code, "an unclosed ` in the doc of an entry point: {doc:?}");
    assert!(
        !text.contains("*/"),
        "`*/` in the doc of an entry point: {doc:?}"
    );
    // A NUL holds a code span's words together until the lines are filled.
    let paragraphs: Vec<Vec<String>> = text
        .split('\n')
        .map(|p| p.split_whitespace().map(|w| w.replace('\0', " ")).collect())
        .collect();
    let one_line = format!("    /** {} */\n", paragraphs[0].join(" "));
    if paragraphs.len() == 1 && one_line.chars().count() <= WIDTH + 1 {
        return one_line;
    }
    let mut out = String::from("    /**\n");
    for (i, words) in paragraphs.iter().enumerate() {
        if i > 0 {
            out.push_str("     *\n");
        }
        let mut line = String::from("     *");
        for word in words {
            if line.len() > "     *".len()
                && line.chars().count() + 1 + word.chars().count() > WIDTH
            {
                let _ = writeln!(out, "{line}");
                line = String::from("     *");
            }
            line.push(' ');
            line.push_str(word);
        }
        let _ = writeln!(out, "{line}");
    }
    out.push_str("     */\n");
    out
}

/// `content_type` → `contentType`.
fn camel_case(rust: &str) -> String {
    let mut out = String::with_capacity(rust.len());
    let mut upper = false;
    for c in rust.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// The repository's root, where [`JAVA_FILE`] is.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn native_java_is_current() {
    let path = workspace().join(JAVA_FILE);
    let generated = render();
    if std::env::var_os("NUVERA_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("Native.java is writable");
        eprintln!("wrote {}", path.display());
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let (line, have, want) = committed
            .split_inclusive('\n')
            .map(Some)
            .chain(std::iter::repeat(None))
            .zip(
                generated
                    .split_inclusive('\n')
                    .map(Some)
                    .chain(std::iter::repeat(None)),
            )
            .enumerate()
            .find(|(_, (have, want))| have != want)
            .map(|(i, (have, want))| {
                (
                    i + 1,
                    have.unwrap_or("(end of file)"),
                    want.unwrap_or("(end of file)"),
                )
            })
            .expect("the texts differ somewhere");
        panic!(
            "{JAVA_FILE} is not what the native! entry points in bindings/jni/src declare; first \
             difference at line {line}:\n  committed: {}\n  generated: {}\nRegenerate it with:\n  {BLESS}",
            have.trim_end(),
            want.trim_end(),
        );
    }
}

/// A module whose `native!` entry points were left out of [`MODULES`] would be missing from
/// `Native.java`.
#[test]
fn every_module_with_entry_points_is_listed() {
    let src = workspace().join("bindings/jni/src");
    let listed: Vec<&str> = MODULES
        .iter()
        .map(|m| m.path.rsplit("::").next().unwrap_or(m.path))
        .collect();
    let mut with_entry_points = Vec::new();
    for entry in std::fs::read_dir(&src).expect("bindings/jni/src is readable") {
        let path = entry.expect("a directory entry").path();
        let text = std::fs::read_to_string(&path).expect("a source file is readable");
        if text.lines().any(|l| l == "native! {") {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("a UTF-8 file name");
            with_entry_points.push(stem.to_owned());
        }
    }
    with_entry_points.sort();
    let mut sorted = listed.clone();
    sorted.sort_unstable();
    assert_eq!(
        with_entry_points, sorted,
        "MODULES in java_decl.rs lists every module with native! {{ … }}"
    );
}
