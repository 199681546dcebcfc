//! GitHub Actions workflows, checked by actionlint.
