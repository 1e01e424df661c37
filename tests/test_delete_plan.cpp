// covet_delete_plan(table, keys): every row covet_delete() would touch, changing nothing.
#include "support.hpp"

#include <filesystem>
#include <map>
#include <set>

using namespace covet::test;

namespace {


using RowSet = std::set<Row>;  // {table_name, pk} (or with more columns), order-free

// The plan as (action, table_name, pk, relation, blocking) rows, in the plan's own order.
std::vector<Row> plan(Db& db, const std::string& table, const std::string& keys) {
    return db.rows("SELECT action, table_name, pk, relation, blocking FROM covet_delete_plan('" + table + "', " +
                   keys + ")");
}

// {table_name, pk} of the plan rows with this action.
RowSet planned(Db& db, const std::string& table, const std::string& keys, const std::string& action) {
    RowSet out;
    for (const Row& r : plan(db, table, keys))
        if (r[0] == action) out.insert({r[1], r[2]});
    return out;
}

// Every user table's rows by primary key (the rowid when none is declared).
std::map<std::string, std::map<std::string, std::string>> contents(Db& db) {
    std::map<std::string, std::map<std::string, std::string>> out;
    for (const Row& t : db.rows("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
                                "AND name NOT LIKE '\\_covet%' ESCAPE '\\'")) {
        std::string key = db.value("SELECT coalesce((SELECT name FROM pragma_table_info('" + t[0] +
                                   "') WHERE pk = 1), 'rowid')");
        for (const Row& r : db.rows("SELECT \"" + key + "\", * FROM \"" + t[0] + "\"")) {
            std::string text;
            for (std::size_t i = 1; i < r.size(); ++i) text += r[i] + "|";
            out[t[0]][r[0]] = text;
        }
    }
    return out;
}

struct Outcome {
    RowSet removed, changed;  // {table_name, pk}
    std::string json;
};

// Runs covet_delete(table, keys) inside a transaction that is rolled back, and reports the rows it
// removed and the rows it changed.
Outcome run_covet_delete(Db& db, const std::string& table, const std::string& keys) {
    Outcome out;
    db.exec("BEGIN");
    auto before = contents(db);
    out.json = db.value("SELECT covet_delete('" + table + "', " + keys + ")");
    auto after = contents(db);
    db.exec("ROLLBACK");
    for (const auto& [name, rows] : before)
        for (const auto& [key, text] : rows) {
            auto it = after[name].find(key);
            if (it == after[name].end())
                out.removed.insert({name, key});
            else if (it->second != text)
                out.changed.insert({name, key});
        }
    return out;
}

// The plan's rows, checked against what covet_delete does: same deletes, same updates, same
// per-table counts; and the plan itself changes nothing.
void expect_plan_matches_delete(Db& db, const std::string& table, const std::string& keys) {
    INFO("covet_delete_plan('" << table << "', " << keys << ")");
    std::string before = db.snapshot();
    RowSet deletes = planned(db, table, keys, "delete");
    RowSet updates = planned(db, table, keys, "set_null");
    for (const Row& r : planned(db, table, keys, "set_default")) updates.insert(r);
    CHECK(db.snapshot() == before);
    CHECK(db.integer("SELECT count(*) FROM covet_delete_plan('" + table + "', " + keys + ") WHERE blocking") == 0);

    Outcome outcome = run_covet_delete(db, table, keys);
    CHECK(db.snapshot() == before);
    CHECK_FALSE(deletes.empty());
    CHECK(deletes == outcome.removed);
    CHECK(updates == outcome.changed);
    // covet_delete's own summary, rebuilt from the plan.
    std::vector<Row> counts = db.rows("SELECT json_object('total', (SELECT count(*) FROM covet_delete_plan('" +
                                      table + "', " + keys + ") WHERE action = 'delete'), 'per_table', "
                                      "(SELECT json_group_object(table_name, n) FROM (SELECT table_name, count(*) "
                                      "AS n FROM covet_delete_plan('" + table + "', " + keys +
                                      ") WHERE action = 'delete' GROUP BY 1 ORDER BY 1)))");
    CHECK(db.value("SELECT json('" + outcome.json + "')") == counts[0][0]);
}


// A forum with every link kind: chains, a self reference, many_to_many, SET_NULL, SET_DEFAULT.
void forum(Db& db) {
    db.exec(R"(
        CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE topics(id INTEGER PRIMARY KEY, title TEXT);
        CREATE TABLE posts(id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, editor_id INTEGER,
                           topic_id INTEGER NOT NULL);
        CREATE TABLE comments(id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL, parent_id INTEGER,
                              user_id INTEGER NOT NULL DEFAULT 1);
        CREATE TABLE tags(id INTEGER PRIMARY KEY, name TEXT);
        INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name) VALUES
            ('foreign_key', 'posts', 'author_id', 'users', 'CASCADE', 'posts'),
            ('foreign_key', 'posts', 'editor_id', 'users', 'SET_NULL', 'edited'),
            ('foreign_key', 'posts', 'topic_id', 'topics', 'CASCADE', 'posts'),
            ('foreign_key', 'comments', 'post_id', 'posts', 'CASCADE', 'comments'),
            ('foreign_key', 'comments', 'parent_id', 'comments', 'CASCADE', 'replies'),
            ('foreign_key', 'comments', 'user_id', 'users', 'SET_DEFAULT', 'comments');
        INSERT INTO covet_relations(name, kind, from_table, to_table, related_name)
            VALUES ('posts.tags', 'many_to_many', 'posts', 'tags', 'posts');
        INSERT INTO users VALUES (1, 'admin'), (2, 'ann'), (3, 'bob'), (4, 'cid');
        INSERT INTO topics VALUES (1, 'general'), (2, 'news');
        INSERT INTO tags VALUES (1, 'a'), (2, 'b');
        INSERT INTO posts VALUES (1, 2, 3, 1), (2, 3, 2, 1), (3, 3, NULL, 2), (4, 4, 2, 2);
        -- comment 3 (on bob's post 2) answers comment 1 (on ann's post 1): deleting ann takes it too.
        INSERT INTO comments VALUES (1, 1, NULL, 3), (2, 1, 1, 4), (3, 2, 1, 4), (4, 3, NULL, 2), (5, 4, 3, 2);
        INSERT INTO posts_tags(posts_id, tags_id) VALUES (1, 1), (1, 2), (2, 2), (4, 1);
    )");
}

}  // namespace

TEST_CASE("a CASCADE plan lists exactly the rows covet_delete removes, each with its relation") {
    Db db;
    library_schema(db);
    library_rows(db);
    CHECK(plan(db, "authors", "1") == std::vector<Row>{{"delete", "authors", "1", "NULL", "0"},
                                                      {"delete", "profiles", "1", "profiles.author", "0"},
                                                      {"delete", "books", "1", "books.author", "0"},
                                                      {"delete", "books", "2", "books.author", "0"},
                                                      {"delete", "books_categories", "1", "books.categories", "0"},
                                                      {"delete", "books_categories", "2", "books.categories", "0"}});
    expect_plan_matches_delete(db, "authors", "1");
    expect_plan_matches_delete(db, "categories", "2");
    expect_plan_matches_delete(db, "books", "3");

    // A plain DELETE (the trigger) removes the same rows as the plan says for one row.
    RowSet deletes = planned(db, "authors", "2", "delete");
    auto before = contents(db);
    db.exec("DELETE FROM authors WHERE id = 2");
    auto after = contents(db);
    RowSet removed;
    for (const auto& [name, rows] : before)
        for (const auto& [key, text] : rows)
            if (!after[name].count(key)) removed.insert({name, key});
    CHECK(removed == deletes);
}

TEST_CASE("a richer graph: chains, self reference, many_to_many, SET_NULL and SET_DEFAULT agree with covet_delete") {
    Db db;
    forum(db);
    expect_plan_matches_delete(db, "users", "2");
    expect_plan_matches_delete(db, "users", "3");
    expect_plan_matches_delete(db, "users", "'[2, 3]'");
    expect_plan_matches_delete(db, "topics", "1");
    expect_plan_matches_delete(db, "comments", "1");
    expect_plan_matches_delete(db, "posts", "'[1, 4]'");

    // Deleting ann (2): her post 1 with its comments 1 and 2, comment 3 that answers comment 1 although
    // it is on bob's post, and comment 5 that answers comment 3; her surviving comment 4 goes to the
    // default user; posts 2 and 4 lose their editor.
    std::vector<Row> rows = db.rows("SELECT action, table_name, pk, relation FROM covet_delete_plan('users', 2) "
                                    "ORDER BY action, table_name, pk");
    CHECK(rows == std::vector<Row>{{"delete", "comments", "1", "comments.post"},
                                   {"delete", "comments", "2", "comments.post"},
                                   {"delete", "comments", "3", "comments.parent"},
                                   {"delete", "comments", "5", "comments.parent"},
                                   {"delete", "posts", "1", "posts.author"},
                                   {"delete", "posts_tags", "1", "posts.tags"},
                                   {"delete", "posts_tags", "2", "posts.tags"},
                                   {"delete", "users", "2", "NULL"},
                                   {"set_default", "comments", "4", "comments.user"},
                                   {"set_null", "posts", "2", "posts.editor"},
                                   {"set_null", "posts", "4", "posts.editor"}});
}

TEST_CASE("PROTECT and RESTRICT rows are listed as blocking, and covet_delete refuses") {
    Db db;
    library_schema(db);
    library_rows(db);
    db.exec(R"(CREATE TABLE reviews(id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL, author_id INTEGER NOT NULL);
               INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete)
                   VALUES ('foreign_key', 'reviews', 'book_id', 'books', 'PROTECT');
               INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
                   VALUES ('foreign_key', 'reviews', 'author_id', 'authors', 'CASCADE', 'reviews');
               INSERT INTO reviews VALUES (7, 1, 1), (8, 2, 1);)");
    // PROTECT blocks even though the reviews would be cascaded with the author.
    CHECK(db.rows("SELECT action, table_name, pk, relation FROM covet_delete_plan('authors', 1) WHERE blocking") ==
          std::vector<Row>{{"protect", "reviews", "7", "reviews.book"}, {"protect", "reviews", "8", "reviews.book"}});
    CHECK(planned(db, "authors", "1", "delete").count({"reviews", "7"}) == 1);
    std::string before = db.snapshot();
    CHECK(contains(db.error("SELECT covet_delete('authors', 1)"), "covet: PROTECT"));
    CHECK(db.snapshot() == before);
    // Bob's book has no reviews: nothing blocks.
    CHECK(db.integer("SELECT count(*) FROM covet_delete_plan('authors', 2) WHERE blocking") == 0);
}

TEST_CASE("RESTRICT: a restricted row that is itself cascaded is not listed (Django's Artist/Album/Song)") {
    Db db;
    artist_album_song(db);
    CHECK(plan(db, "artist", "1") == std::vector<Row>{{"delete", "artist", "1", "NULL", "0"},
                                                     {"delete", "album", "1", "album.artist", "0"},
                                                     {"delete", "song", "1", "song.artist", "0"}});
    expect_plan_matches_delete(db, "artist", "1");
    // Deleting the album alone leaves song 2 behind, pointing at it: RESTRICT blocks.
    CHECK(plan(db, "album", "2") == std::vector<Row>{{"delete", "album", "2", "NULL", "0"},
                                                    {"restrict", "song", "2", "song.album", "1"}});
    CHECK(contains(db.error("SELECT covet_delete('album', 2)"), "covet: RESTRICT"));
}

TEST_CASE("SET_NULL and SET_DEFAULT rows; a SET_DEFAULT to a row deleted too is listed once, blocking") {
    Db db;
    users_posts(db);
    CHECK(plan(db, "users", "2") == std::vector<Row>{{"delete", "users", "2", "NULL", "0"},
                                                    {"set_null", "posts", "1", "posts.editor", "0"},
                                                    {"set_default", "posts", "1", "posts.owner", "0"}});
    expect_plan_matches_delete(db, "users", "2");

    // Post 2's default owner is user 1, deleted too: that blocks; its editor would still be cleared.
    CHECK(plan(db, "users", "'[1, 3]'") == std::vector<Row>{{"delete", "users", "1", "NULL", "0"},
                                                           {"delete", "users", "3", "NULL", "0"},
                                                           {"set_default", "posts", "2", "posts.owner", "1"},
                                                           {"set_null", "posts", "2", "posts.editor", "0"}});
    CHECK(contains(db.error("SELECT covet_delete('users', '[1, 3]')"), "covet: SET_DEFAULT"));
}

TEST_CASE("the plan changes nothing: read-only database, query_only, read transaction") {
    std::filesystem::path path = std::filesystem::temp_directory_path() / "covet_test_delete_plan.db";
    std::filesystem::remove(path);
    {
        Db db(path.string());
        library_schema(db);
        library_rows(db);
    }
    {
        Db db(path.string());
        std::string before = db.snapshot();
        db.exec("PRAGMA query_only = 1");
        CHECK(db.integer("SELECT count(*) FROM covet_delete_plan('authors', 1)") == 6);
        db.exec("PRAGMA query_only = 0; BEGIN");
        CHECK(db.integer("SELECT count(*) FROM authors") == 2);  // the read transaction holds a snapshot
        CHECK(db.integer("SELECT count(*) FROM covet_delete_plan('authors', '[1, 2]')") == 9);
        db.exec("COMMIT");
        CHECK(db.snapshot() == before);
    }
    sqlite3* readonly = nullptr;
    REQUIRE(sqlite3_open_v2(path.string().c_str(), &readonly, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    REQUIRE(covet_register_extension(readonly) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(readonly, "SELECT count(*) FROM covet_delete_plan('authors', 1)", -1, &stmt,
                               nullptr) == SQLITE_OK);
    CHECK(sqlite3_step(stmt) == SQLITE_ROW);
    CHECK(sqlite3_column_int(stmt, 0) == 6);
    sqlite3_finalize(stmt);
    sqlite3_close(readonly);
    std::filesystem::remove(path);
}

TEST_CASE("keys: one key, a JSON array, text keys, missing keys") {
    Db db;
    library_schema(db);
    library_rows(db);
    RowSet both = planned(db, "authors", "'[1, 2]'", "delete");
    RowSet one = planned(db, "authors", "1", "delete"), two = planned(db, "authors", "2", "delete");
    CHECK(both.size() == 9);
    CHECK(both.size() == one.size() + two.size());
    for (const Row& r : one) CHECK(both.count(r) == 1);
    for (const Row& r : two) CHECK(both.count(r) == 1);
    CHECK(planned(db, "authors", "'[2]'", "delete") == two);
    CHECK(plan(db, "authors", "42").empty());
    CHECK(plan(db, "authors", "'[]'").empty());
    CHECK(plan(db, "authors", "NULL").empty());

    db.exec(R"(CREATE TABLE countries(code TEXT PRIMARY KEY, name TEXT);
               CREATE TABLE cities(id INTEGER PRIMARY KEY, country_code TEXT);
               INSERT INTO covet_relations(kind, from_table, from_column, to_table)
                   VALUES ('foreign_key', 'cities', 'country_code', 'countries');
               INSERT INTO countries VALUES ('fr', 'France'), ('de', 'Germany');
               INSERT INTO cities VALUES (1, 'fr'), (2, 'fr'), (3, 'de');)");
    CHECK(plan(db, "countries", "'fr'") == std::vector<Row>{{"delete", "countries", "fr", "NULL", "0"},
                                                           {"delete", "cities", "1", "cities.country_code", "0"},
                                                           {"delete", "cities", "2", "cities.country_code", "0"}});
    CHECK(planned(db, "countries", "'[\"de\"]'", "delete") == RowSet{{"countries", "de"}, {"cities", "3"}});
    expect_plan_matches_delete(db, "countries", "'[\"fr\", \"de\"]'");
}

TEST_CASE("a table no relation touches: the plan is the rows asked for, as covet_delete deletes them") {
    Db db;
    db.exec("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'a'), (2, 'b')");
    CHECK(plan(db, "notes", "'[2, 3]'") == std::vector<Row>{{"delete", "notes", "2", "NULL", "0"}});
    CHECK(db.integer("SELECT count(*) FROM sqlite_schema WHERE name LIKE '\\_covet%' ESCAPE '\\'") == 0);
    expect_plan_matches_delete(db, "notes", "'[2, 3]'");
}

TEST_CASE("table-valued function forms: hidden columns, joins, views") {
    Db db;
    library_schema(db);
    library_rows(db);
    CHECK(db.rows("SELECT \"table\", keys, count(*) FROM covet_delete_plan WHERE \"table\" = 'categories' AND "
                  "keys = 2") == std::vector<Row>{{"categories", "2", "3"}});
    // The key comes from another table: SQLite must scan authors first (xBestIndex refuses the
    // other order).
    CHECK(db.rows("SELECT a.name, count(*) FROM authors AS a, covet_delete_plan('authors', a.id) AS p "
                  "WHERE p.action = 'delete' GROUP BY a.id ORDER BY a.id") ==
          std::vector<Row>{{"Ann", "6"}, {"Bob", "3"}});
    CHECK(db.integer("SELECT count(*) FROM covet_delete_plan('authors', 1) WHERE action = 'x' OR pk = 2") == 2);
    // Innocuous: usable from a view even with trusted_schema off.
    db.exec("PRAGMA trusted_schema = OFF; CREATE VIEW ann_plan AS SELECT * FROM covet_delete_plan('authors', 1)");
    CHECK(db.integer("SELECT count(*) FROM ann_plan") == 6);
}

TEST_CASE("bad input: unknown table, table not text, missing arguments") {
    Db db;
    library_schema(db);
    CHECK(db.error("SELECT * FROM covet_delete_plan('nope', 1)") ==
          "covet: covet_delete_plan: no table \"nope\" in the main schema");
    CHECK(contains(db.error("SELECT * FROM covet_delete_plan(1, 1)"), "table must be a table name"));
    db.exec("CREATE TABLE pairs(a, b, PRIMARY KEY (a, b)) WITHOUT ROWID");
    CHECK(contains(db.error("SELECT * FROM covet_delete_plan('pairs', 1)"), "table pairs has no row identity"));
    std::string missing = "covet: covet_delete_plan(table, keys) needs both arguments";
    CHECK(db.error("SELECT * FROM covet_delete_plan").rfind(missing, 0) == 0);
    CHECK(db.error("SELECT * FROM covet_delete_plan('authors')").rfind(missing, 0) == 0);
    CHECK(db.error("SELECT * FROM covet_delete_plan WHERE keys = 1").rfind(missing, 0) == 0);
}
