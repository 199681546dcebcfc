//! Making compiler errors about the generated glue readable.
//!
//! The glue program calls the learner's methods with the exercise's exact
//! signatures. When those differ, rustc reports the error at the glue's
//! call, in a file the learner never sees and should not edit. Here each
//! such location is named for what it is, and the calls involved are
//! quoted, so the learner can compare them with their own signatures.

/// Rewrites `diagnostics` so that locations in the glue file at
/// `glue_path` (whose text is `glue`) read as the tutor's calls, with a
/// summary of those calls first. Other diagnostics pass through unchanged.
pub fn explain_glue(diagnostics: &str, glue_path: &str, glue: &str) -> String {
    let lines: Vec<&str> = glue.lines().collect();
    let marker = format!("{glue_path}:");
    let mut calls: Vec<String> = Vec::new();
    for located in diagnostics.split(&marker).skip(1) {
        let line_no: Option<usize> = located.split(':').next().and_then(|n| n.parse().ok());
        if let Some(text) = line_no.and_then(|n| lines.get(n.wrapping_sub(1))) {
            let call = text.trim().to_string();
            if !calls.contains(&call) {
                calls.push(call);
            }
        }
    }
    if calls.is_empty() {
        return diagnostics.to_string();
    }
    let mut out = String::from(
        "Your file does not match the exercise's API. The tutor calls your code like this \
         (compare with your signatures and the doc comments in the starter file):\n",
    );
    for call in &calls {
        out.push_str("    ");
        out.push_str(call);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&diagnostics.replace(&marker, "(the tutor's call into your code):"));
    out
}

#[cfg(test)]
mod tests {
    use super::explain_glue;

    const GLUE: &str = "mod solution;\nstruct Api(solution::Counter);\nimpl X for Api {\n    fn get(&self) -> i64 { self.0.get() }\n}\n";

    #[test]
    fn glue_locations_are_named_and_the_call_is_quoted() {
        let rustc = "error[E0308]: mismatched types\n  --> /tmp/w/check_counter.rs:4:28\n   |\n4 |     fn get(&self) -> i64 { self.0.get() }\n";
        let out = explain_glue(rustc, "/tmp/w/check_counter.rs", GLUE);
        assert!(
            out.starts_with("Your file does not match the exercise's API."),
            "{out}"
        );
        assert!(
            out.contains("\n    fn get(&self) -> i64 { self.0.get() }\n"),
            "{out}"
        );
        assert!(
            out.contains("--> (the tutor's call into your code):4:28"),
            "{out}"
        );
        assert!(!out.contains("/tmp/w/check_counter.rs"), "{out}");
    }

    #[test]
    fn errors_in_the_learners_own_file_pass_through() {
        let rustc = "error[E0308]: mismatched types\n  --> /home/me/exercises/counter.rs:9:5\n";
        assert_eq!(explain_glue(rustc, "/tmp/w/check_counter.rs", GLUE), rustc);
    }
}
