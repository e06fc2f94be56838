// Package registry reads the two CSV files the secretariat keeps the registry in,
// institutions.csv and people.csv, and imports them into the domain store.
//
// It exists because the registry decides who may review whom (PRODUCT.md §4): a wrong region,
// target group, training date or employment period silently changes which reviewers are
// proposed for an institution. The files are therefore checked completely before anything is
// written: every problem is reported with its line and column, and a file with a single bad
// row imports nothing. A good file is upserted in one transaction, keyed by external ID, so
// importing the same file again changes nothing.
package registry
