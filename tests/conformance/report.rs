//! The printed table.

/// One file's outcome.
pub struct Row {
    pub suite: String,
    pub file: String,
    pub expected: String,
    pub ours: String,
    pub pass: bool,
    pub figure: String,
}

#[derive(Default)]
pub struct Report {
    rows: Vec<Row>,
}

impl Report {
    pub fn add(
        &mut self,
        suite: &str,
        file: &str,
        expected: impl Into<String>,
        ours: impl Into<String>,
        pass: bool,
        figure: impl Into<String>,
    ) {
        self.rows.push(Row {
            suite: suite.into(),
            file: file.into(),
            expected: expected.into(),
            ours: ours.into(),
            pass,
            figure: figure.into(),
        });
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn failures(&self) -> usize {
        self.rows.iter().filter(|r| !r.pass).count()
    }

    pub fn print(&self) {
        let w = |f: fn(&Row) -> &str, min: usize| {
            self.rows
                .iter()
                .map(|r| f(r).chars().count())
                .max()
                .unwrap_or(0)
                .clamp(min, 60)
        };
        let (ws, wf, we, wo) = (
            w(|r| &r.suite, 5),
            w(|r| &r.file, 4),
            w(|r| &r.expected, 8),
            w(|r| &r.ours, 4),
        );
        println!(
            "{:ws$}  {:wf$}  {:we$}  {:wo$}  {:7}  figure",
            "suite", "file", "expected", "ours", "verdict"
        );
        for r in &self.rows {
            let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
            println!(
                "{:ws$}  {:wf$}  {:we$}  {:wo$}  {:7}  {}",
                r.suite,
                cut(&r.file, wf),
                cut(&r.expected, we),
                cut(&r.ours, wo),
                if r.pass { "ok" } else { "FAIL" },
                r.figure
            );
        }
        println!(
            "{} files, {} ok, {} outside their expectation",
            self.rows.len(),
            self.rows.len() - self.failures(),
            self.failures()
        );
    }
}
