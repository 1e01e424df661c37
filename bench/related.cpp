// related() against the hand-written SQL a careful programmer would use for the same prefetch,
// side by side in one process, on one file database.
//
//   build/bench/bench_related            full dataset: 1,000 authors, 100,000 books, 300,000 links
//   build/bench/bench_related --quick    a small one, in well under a second (run by the tests)
//
// Each workload runs both queries alternately (prepared once, reset and rebound each run) and
// reports the median time of each and their ratio. Results are also checked: both queries must
// return the same rows (count and checksum), or the program fails.
#include <covet/extension.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

void exec(sqlite3* db, const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::fprintf(stderr, "bench: %s\n  in: %s\n", message, sql.c_str());
        std::exit(1);
    }
}

sqlite3_stmt* prepare(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
        std::fprintf(stderr, "bench: %s\n  in: %s\n", sqlite3_errmsg(db), sql.c_str());
        std::exit(1);
    }
    return stmt;
}

struct Outcome {
    std::int64_t rows = 0;
    std::int64_t checksum = 0;
    bool operator==(const Outcome&) const = default;
};

// Runs the statement with ?1 bound to keys, reading every column of every row.
Outcome run(sqlite3_stmt* stmt, const std::string& keys) {
    sqlite3_reset(stmt);
    sqlite3_bind_text(stmt, 1, keys.c_str(), static_cast<int>(keys.size()), SQLITE_STATIC);
    Outcome out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        ++out.rows;
        for (int i = 0; i < sqlite3_column_count(stmt); ++i)
            out.checksum += sqlite3_column_type(stmt, i) == SQLITE_INTEGER ? sqlite3_column_int64(stmt, i)
                                                                            : sqlite3_column_bytes(stmt, i);
    }
    return out;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct Workload {
    const char* id;
    const char* what;
    std::string covet_sql;
    std::string raw_sql;
    std::string keys;
};

void build_dataset(sqlite3* db, int authors, int books_per_author, int categories) {
    exec(db, R"(
        PRAGMA journal_mode = WAL;
        CREATE TABLE authors(id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL);
        CREATE TABLE categories(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE books(id INTEGER PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER NOT NULL, pages INTEGER);
        INSERT INTO covet_relations(kind, from_table, from_column, to_table, related_name)
            VALUES ('foreign_key', 'books', 'author_id', 'authors', 'books');
        INSERT INTO covet_relations(name, kind, from_table, to_table, related_name)
            VALUES ('books.categories', 'many_to_many', 'books', 'categories', 'books');
        BEGIN;
    )");
    std::string n = std::to_string(authors), per = std::to_string(books_per_author), c = std::to_string(categories);
    exec(db, "WITH RECURSIVE i(x) AS (VALUES(1) UNION ALL SELECT x + 1 FROM i WHERE x < " + n +
                 ") INSERT INTO authors SELECT x, 'author ' || x, 'a' || x || '@example.com' FROM i");
    exec(db, "WITH RECURSIVE i(x) AS (VALUES(1) UNION ALL SELECT x + 1 FROM i WHERE x < " + c +
                 ") INSERT INTO categories SELECT x, 'category ' || x FROM i");
    exec(db, "WITH RECURSIVE i(x) AS (VALUES(1) UNION ALL SELECT x + 1 FROM i WHERE x < " + n + " * " + per +
                 ") INSERT INTO books SELECT x, 'book ' || x, 1 + (x * 7919) % " + n + ", 100 + x % 400 FROM i");
    exec(db, "INSERT INTO books_categories(books_id, categories_id) SELECT b.id, 1 + (b.id + k.k * 17) % " + c +
                 " FROM books b, (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2) k");
    exec(db, "COMMIT; ANALYZE;");
}

std::string key_list(int first, int count, int step) {
    std::string keys = "[";
    for (int i = 0; i < count; ++i) keys += (i ? "," : "") + std::to_string(first + i * step);
    return keys + "]";
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    int runs = quick ? 3 : 21;
    std::string path = "/tmp/covet-bench-related-" + std::to_string(::getpid()) + ".db";
    std::remove(path.c_str());
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    covet_register_extension(db);
    build_dataset(db, quick ? 50 : 1000, quick ? 10 : 100, quick ? 10 : 50);

    std::vector<Workload> workloads = {
        {"R1", "reverse foreign key: the books of 100 authors",
         "SELECT r.source, b.* FROM related('authors.books', ?1) r JOIN books b ON b.id = r.target",
         "SELECT b.author_id, b.* FROM books b WHERE b.author_id IN (SELECT value FROM json_each(?1))",
         key_list(1, quick ? 10 : 100, quick ? 5 : 10)},
        {"R2", "many_to_many: the categories of 10,000 books",
         "SELECT r.source, c.* FROM related('books.categories', ?1) r JOIN categories c ON c.id = r.target",
         "SELECT j.books_id, c.* FROM books_categories j JOIN categories c ON c.id = j.categories_id "
         "WHERE j.books_id IN (SELECT value FROM json_each(?1))",
         key_list(1, quick ? 100 : 10000, quick ? 3 : 7)},
        {"R3", "reverse many_to_many: the books of 5 categories",
         "SELECT r.source, b.* FROM related('categories.books', ?1) r JOIN books b ON b.id = r.target",
         "SELECT j.categories_id, b.* FROM books_categories j JOIN books b ON b.id = j.books_id "
         "WHERE j.categories_id IN (SELECT value FROM json_each(?1))",
         key_list(1, 5, 2)},
    };

    std::printf("| id | workload | rows | related() ms | hand-written ms | ratio |\n|---|---|---|---|---|---|\n");
    int failures = 0;
    for (const Workload& w : workloads) {
        sqlite3_stmt* covet = prepare(db, w.covet_sql);
        sqlite3_stmt* raw = prepare(db, w.raw_sql);
        Outcome expected = run(raw, w.keys);
        Outcome got = run(covet, w.keys);  // also the warm-up of both
        if (!(got == expected) || expected.rows == 0) {
            std::fprintf(stderr, "bench: %s returned %lld rows (checksum %lld), hand-written %lld (%lld)\n", w.id,
                         static_cast<long long>(got.rows), static_cast<long long>(got.checksum),
                         static_cast<long long>(expected.rows), static_cast<long long>(expected.checksum));
            ++failures;
        }
        std::vector<double> covet_ms, raw_ms;
        for (int i = 0; i < runs; ++i) {
            for (auto [stmt, times] : {std::pair{covet, &covet_ms}, std::pair{raw, &raw_ms}}) {
                auto start = std::chrono::steady_clock::now();
                run(stmt, w.keys);
                times->push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
            }
        }
        double c = median(covet_ms), r = median(raw_ms);
        std::printf("| %s | %s | %lld | %.3f | %.3f | %.3f |\n", w.id, w.what, static_cast<long long>(expected.rows), c,
                    r, c / r);
        sqlite3_finalize(covet);
        sqlite3_finalize(raw);
    }
    sqlite3_close(db);
    std::remove(path.c_str());
    for (const char* suffix : {"-wal", "-shm"}) std::remove((path + suffix).c_str());
    return failures ? 1 : 0;
}
