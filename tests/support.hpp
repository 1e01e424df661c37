// Shared by the SQL-level test suites: a connection with covet registered and small helpers.
#pragma once

#include <covet/extension.h>
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace covet::test {

using Row = std::vector<std::string>;  // every value as text, NULL as "NULL"

class Db {
public:
    explicit Db(const std::string& path = ":memory:", bool load_covet = true);
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    ~Db();

    sqlite3* get() const { return db_; }
    void exec(const std::string& sql);          // fails the test on error
    std::string error(const std::string& sql);  // expects an error; returns its message
    std::vector<Row> rows(const std::string& sql);
    std::string value(const std::string& sql);  // first column of the first row ("" if none)
    std::int64_t integer(const std::string& sql);
    std::string plan(const std::string& sql);  // EXPLAIN QUERY PLAN's steps, one per line
    // The whole database as text: schema of every object and every row of every table, to
    // assert that a refused statement changed nothing.
    std::string snapshot();

private:
    sqlite3* db_ = nullptr;
};

// The seed's library example: authors, profiles (one_to_one author, CASCADE), categories,
// books (author foreign_key CASCADE, categories many_to_many); no rows.
void library_schema(Db& db);
// A few rows: authors 1 Ann, 2 Bob; profiles 1->1; categories 1 Fiction, 2 SF;
// books 1,2 by Ann, 3 by Bob; books_categories (1,1) (1,2) (3,2).
void library_rows(Db& db);

// Django's documentation example for RESTRICT (fixtures.hpp: artist_album_song_sql).
void artist_album_song(Db& db);

// users, posts (editor SET_NULL, owner SET_DEFAULT to the column's DEFAULT 1); users 1, 2, 3;
// posts (1, editor 2, owner 2), (2, editor 3, owner 3).
void users_posts(Db& db);

bool contains(std::string_view text, std::string_view part);
// Runs a statement that covet must refuse: the message starts with prefix ("covet:",
// "covet: PROTECT", ...) and names the relation (when given), and the database is unchanged.
// Returns the message.
std::string refused(Db& db, const std::string& sql, std::string_view prefix = "covet:",
                    std::string_view relation = {});
bool starts_with(std::string_view text, std::string_view prefix);

// Path of the built covet.so (for tests that load it like a user would).
std::string module_path();

}  // namespace covet::test
