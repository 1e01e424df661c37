// The benchmark's workloads as the harness (bench.cpp) sees them. Each has two sides that must
// produce the same Outcome: covet's C++ API (covet_side.cpp) and hand-written SQL on the sqlite3
// C API (raw.cpp). Django's side (bench/django/run.py) follows the same definitions.
//
// A side is built once per workload (untimed: open a connection, prepare statements, compute the
// inputs), then, for a warm-up and for each timed run, the harness calls
//   reset()   untimed: undo what the previous run changed (W1 and W6 start from fresh copies)
//   run()     timed: the workload; returns its Outcome
// alternating covet and raw run by run, and compares every Outcome with raw's.
//
// The workloads and their Outcome (sums over ids and string lengths, the same in every language;
// "len" is a length in bytes, every string of the dataset being ASCII):
//   W1 create the dataset's books (dataset.hpp: book_spec) with their 3 categories each, starting
//      from Setup::without_books. rows: books created; checksum: sum of the created books' ids +
//      sum of the category ids linked; per_table: rows created, {books, books_categories}.
//   W2 iterate all books with their author and the author's profile (select_related), reading
//      author.name and profile.bio. rows: books; checksum: sum of book.id + len(author.name) +
//      len(profile.bio).
//   W3 the books with id <= w3_books, with their categories prefetched. rows: (book, category)
//      pairs; checksum: sum of book.id over the books + sum of book.id * category.id +
//      len(category.name) over the pairs.
//   W4 all authors, with their books prefetched (reverse foreign key). rows: (author, book) pairs;
//      checksum: sum of author.id over the authors + sum of author.id * book.id + book.pages over
//      the pairs.
//   W5 the books with id <= w5_books, then the author of each, loaded lazily one by one (N+1).
//      rows: books; checksum: sum of book.id * author.id + len(author.name).
//   W6 delete the authors with id <= w6_authors and everything that cascades from them (profiles,
//      books, books_categories), in Setup::dataset's copies. rows: total deleted; checksum: 0;
//      per_table: rows deleted, {authors, profiles, books, books_categories}.
//   W7 the distinct books whose author's email contains w7_email_part and that have the category
//      named w7_category. rows: books; checksum: sum of book.id + book.pages.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

namespace bench {

// The dataset (dataset.cpp generates it, the same for every side) and the workloads' parameters.
struct Sizes {
    std::int64_t authors = 0;  // each with one profile
    std::int64_t categories = 0;
    std::int64_t books = 0;       // each with one author and 3 distinct categories
    std::int64_t w3_books = 0;    // W3: books with id <= w3_books
    std::int64_t w5_books = 0;    // W5: books with id <= w5_books
    std::int64_t w6_authors = 0;  // W6: authors with id <= w6_authors
    std::string w7_email_part;    // W7: author.email contains this (lower case, as every email)
    std::string w7_category;      // W7: a category's name
};

// What one run produced. Sides must agree on rows, checksum and per_table (a table counted 0 is
// the same as one absent); statements is reported, not compared.
struct Outcome {
    std::int64_t rows = 0;
    std::int64_t checksum = 0;
    std::map<std::string, std::int64_t> per_table;  // W1, W6: table name -> rows
    std::int64_t statements = 0;                    // SQL statements the run executed (covet: Database::query_count())
};

// One side of one workload (see the top of this file).
class Side {
public:
    virtual ~Side() = default;
    virtual void reset() {}
    virtual Outcome run() = 0;
};

// Where a side finds its data. Each side has its own copies of the two dataset files.
struct Setup {
    Sizes sizes;
    std::filesystem::path dataset;        // filled: W2..W5 and W7 read it, W6 deletes from copies of it
    std::filesystem::path without_books;  // authors, profiles, categories only: W1 writes into copies
    std::filesystem::path scratch;        // a directory of the side's own, for those copies
};

// Thrown by a side (or covet_build_database) that does not exist yet: the harness then reports
// that side as missing instead of failing.
struct NotImplemented : std::logic_error {
    using std::logic_error::logic_error;
};

using SideFactory = std::unique_ptr<Side> (*)(const Setup&);

// Hand-written SQL on the sqlite3 C API (raw.cpp): plain tables, prepared statements reused; W6
// on a copy of the schema with REFERENCES ... ON DELETE CASCADE and PRAGMA foreign_keys=ON.
std::unique_ptr<Side> raw_w1_create_books(const Setup& setup);
std::unique_ptr<Side> raw_w2_select_related(const Setup& setup);
std::unique_ptr<Side> raw_w3_prefetch_categories(const Setup& setup);
std::unique_ptr<Side> raw_w4_prefetch_books(const Setup& setup);
std::unique_ptr<Side> raw_w5_lazy_author(const Setup& setup);
std::unique_ptr<Side> raw_w6_cascade_delete(const Setup& setup);
std::unique_ptr<Side> raw_w7_cross_relation_filter(const Setup& setup);

// covet's C++ API (covet_side.cpp).
// Writes covet's version of a dataset file: called once for each of Setup::dataset and
// Setup::without_books, untimed, before any covet side is built. `plain` has the schema and rows
// of dataset.hpp (plain tables, no relation registered); `covet` does not exist yet.
void covet_build_database(const std::filesystem::path& plain, const std::filesystem::path& covet);
std::unique_ptr<Side> covet_w1_create_books(const Setup& setup);
std::unique_ptr<Side> covet_w2_select_related(const Setup& setup);
std::unique_ptr<Side> covet_w3_prefetch_categories(const Setup& setup);
std::unique_ptr<Side> covet_w4_prefetch_books(const Setup& setup);
std::unique_ptr<Side> covet_w5_lazy_author(const Setup& setup);
std::unique_ptr<Side> covet_w6_cascade_delete(const Setup& setup);
std::unique_ptr<Side> covet_w7_cross_relation_filter(const Setup& setup);

}  // namespace bench
