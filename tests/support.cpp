#include "support.hpp"

#include "fixtures.hpp"

namespace covet::test {

Db::Db(const std::string& path, bool load_covet) {
    REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK);
    if (load_covet) REQUIRE(covet_register_extension(db_) == SQLITE_OK);
}

Db::~Db() { sqlite3_close(db_); }

void Db::exec(const std::string& sql) {
    char* message = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    std::string text = message ? message : "";
    sqlite3_free(message);
    INFO(sql);
    REQUIRE_MESSAGE(rc == SQLITE_OK, text);
}

std::string Db::error(const std::string& sql) {
    char* message = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    std::string text = message ? message : "";
    sqlite3_free(message);
    INFO(sql);
    REQUIRE_MESSAGE(rc != SQLITE_OK, "expected an error");
    return text;
}

std::vector<Row> Db::rows(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    INFO(sql);
    REQUIRE_MESSAGE(rc == SQLITE_OK, sqlite3_errmsg(db_));
    std::vector<Row> out;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        Row row;
        for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
            const unsigned char* text = sqlite3_column_text(stmt, i);
            row.push_back(text ? reinterpret_cast<const char*>(text) : "NULL");
        }
        out.push_back(std::move(row));
    }
    std::string message = sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    REQUIRE_MESSAGE(rc == SQLITE_DONE, message);
    return out;
}

std::string Db::value(const std::string& sql) {
    std::vector<Row> r = rows(sql);
    return r.empty() || r[0].empty() ? "" : r[0][0];
}

std::int64_t Db::integer(const std::string& sql) { return std::stoll(value(sql)); }

std::string Db::snapshot() {
    std::string out;
    for (const Row& object : rows("SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name")) {
        out += object[0] + " " + object[1] + ": " + object[2] + "\n";
        if (object[0] != "table") continue;
        std::string name = object[1];
        std::string quoted = "\"";
        for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
        quoted += "\"";
        for (const Row& row : rows("SELECT * FROM " + quoted)) {
            for (const std::string& v : row) out += v + "|";
            out += "\n";
        }
    }
    return out;
}

std::string Db::plan(const std::string& sql) {
    std::string out;
    for (const Row& row : rows("EXPLAIN QUERY PLAN " + sql)) out += row.back() + "\n";
    return out;
}

void library_schema(Db& db) {
    db.exec(R"(
        CREATE TABLE authors(id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE);
        CREATE TABLE profiles(id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, bio TEXT, website TEXT);
        CREATE TABLE categories(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE books(id INTEGER PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER NOT NULL,
                           published_date TEXT, pages INTEGER);
        INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
            VALUES ('one_to_one', 'profiles', 'author_id', 'authors', 'CASCADE', 'profile');
        INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
            VALUES ('foreign_key', 'books', 'author_id', 'authors', 'CASCADE', 'books');
        INSERT INTO covet_relations(name, kind, from_table, to_table, related_name)
            VALUES ('books.categories', 'many_to_many', 'books', 'categories', 'books');
    )");
}

void library_rows(Db& db) {
    db.exec(R"(
        INSERT INTO authors VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com');
        INSERT INTO profiles VALUES (1, 1, 'Award-winning author', 'https://ann.example.com');
        INSERT INTO categories VALUES (1, 'Fiction'), (2, 'Science Fiction');
        INSERT INTO books VALUES (1, 'Future Worlds', 1, '2024-01-01', 350), (2, 'Old Worlds', 1, '2020-05-01', 120),
                                 (3, 'Bob''s Book', 2, '2021-03-03', 200);
        INSERT INTO books_categories(books_id, categories_id) VALUES (1, 1), (1, 2), (3, 2);
    )");
}

void artist_album_song(Db& db) { db.exec(artist_album_song_sql); }

void users_posts(Db& db) {
    db.exec(R"(CREATE TABLE users(id INTEGER PRIMARY KEY);
               CREATE TABLE posts(id INTEGER PRIMARY KEY, editor_id INTEGER, owner_id INTEGER NOT NULL DEFAULT 1);
               INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name) VALUES
                   ('foreign_key', 'posts', 'editor_id', 'users', 'SET_NULL', 'edited'),
                   ('foreign_key', 'posts', 'owner_id', 'users', 'SET_DEFAULT', 'owned');
               INSERT INTO users VALUES (1), (2), (3);
               INSERT INTO posts VALUES (1, 2, 2), (2, 3, 3);)");
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }
bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

std::string refused(Db& db, const std::string& sql, std::string_view prefix, std::string_view relation) {
    std::string before = db.snapshot();
    std::string message = db.error(sql);
    INFO(sql);
    CHECK_MESSAGE(starts_with(message, prefix), message);
    if (!relation.empty()) CHECK_MESSAGE(contains(message, "relation " + std::string(relation)), message);
    CHECK(db.snapshot() == before);
    return message;
}

std::string module_path() { return COVET_MODULE_PATH; }

}  // namespace covet::test
