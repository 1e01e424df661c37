// The benchmark's dataset: generated deterministically, written with raw SQLite (one transaction,
// prepared statements) into a file database. Schema (the one covet's migrate creates):
//   authors(id, name, email UNIQUE)                 profiles(id, author_id UNIQUE, bio, website)
//   categories(id, name, parent_id)                 books(id, title, author_id, published_date, pages)
//   books_categories(id, book_id, category_id, UNIQUE(book_id, category_id))
// with indexes on categories(parent_id), books(author_id) and books_categories(category_id).
// Categories form the seed's tree (Category.parent): the first fifth top level, each other one
// under one of them.
#pragma once

#include "workloads.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

namespace bench {

Sizes full_sizes();   // 1,000 authors, 50 categories, 100,000 books, 300,000 book-category links
Sizes quick_sizes();  // a small dataset for --quick

// Book number `id` (1-based) of the dataset: what W1 creates.
struct BookSpec {
    std::int64_t id = 0;
    std::string title;
    std::int64_t author_id = 0;
    std::string published_date;  // YYYY-MM-DD
    std::int64_t pages = 0;
    std::array<std::int64_t, 3> category_ids{};  // distinct
};
BookSpec book_spec(std::int64_t id, const Sizes& sizes);

enum class Schema {
    plain,           // no foreign keys: the tables of W1..W5, W7 and the ones covet builds on
    native_cascade,  // REFERENCES ... ON DELETE CASCADE: W6's raw side
};
enum class Books { included, left_out };

// Writes the dataset into a new file at `path` (an existing one is replaced), then ANALYZE: a
// database in use has statistics (PRAGMA optimize), and every side reads the same ones.
void write_dataset(const std::filesystem::path& path, const Sizes& sizes, Schema schema, Books books);

// Copies a database file that no connection is writing, replacing `to` and its WAL files.
void copy_database(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace bench
