// Enforcement by the generated plain-SQL triggers: Django's on_delete semantics on ordinary
// DELETE statements, and the reference checks on INSERT and UPDATE.
//
// Reference: django/db/models/deletion.py (Collector). Every scenario that matters runs in the
// four combinations of PRAGMA recursive_triggers and PRAGMA foreign_keys (in_each_mode); the
// tables those scenarios use declare Django-style `REFERENCES ... DEFERRABLE INITIALLY DEFERRED`
// constraints, so with foreign_keys ON SQLite also verifies at commit that no row is left
// dangling.
#include "support.hpp"

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <unistd.h>

using namespace covet::test;

namespace {

struct Mode {
    const char* name;
    bool recursive_triggers;
    bool foreign_keys;
};

constexpr Mode modes[] = {
    {"recursive_triggers=ON, foreign_keys=ON", true, true},
    {"recursive_triggers=ON, foreign_keys=OFF", true, false},
    {"recursive_triggers=OFF, foreign_keys=ON", false, true},
    {"recursive_triggers=OFF, foreign_keys=OFF", false, false},
};

void apply(Db& db, const Mode& mode) {
    db.exec(std::string("PRAGMA recursive_triggers = ") + (mode.recursive_triggers ? "ON" : "OFF") +
            "; PRAGMA foreign_keys = " + (mode.foreign_keys ? "ON" : "OFF"));
    REQUIRE(db.integer("PRAGMA recursive_triggers") == (mode.recursive_triggers ? 1 : 0));
    REQUIRE(db.integer("PRAGMA foreign_keys") == (mode.foreign_keys ? 1 : 0));
}

// Runs body(db) once per mode, each time on a fresh in-memory database.
template <class Body>
void in_each_mode(Body body) {
    for (const Mode& mode : modes) {
        INFO("mode: " << std::string(mode.name));
        Db db;
        apply(db, mode);
        body(db);
    }
}


// A SQL string literal.
std::string lit(std::string_view text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

// Every row of a query on one line: columns joined by ',', rows by ' '. NULL is "NULL".
std::string list(Db& db, const std::string& sql) {
    std::string out;
    for (const Row& row : db.rows(sql)) {
        if (!out.empty()) out += ' ';
        for (std::size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + row[i];
    }
    return out;
}

// Runs sql; the error message, or nullopt when it succeeded (for checks that must not stop the test).
std::optional<std::string> attempt(Db& db, const std::string& sql) {
    char* message = nullptr;
    int rc = sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, &message);
    std::string text = message ? message : "";
    sqlite3_free(message);
    if (rc == SQLITE_OK) return std::nullopt;
    return text;
}

void fk(Db& db, const std::string& from, const std::string& column, const std::string& to,
        const std::string& on_delete, const std::string& related_name) {
    db.exec("INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name) VALUES "
            "('foreign_key', " + lit(from) + ", " + lit(column) + ", " + lit(to) + ", " + lit(on_delete) + ", " +
            lit(related_name) + ")");
}

void m2m(Db& db, const std::string& name, const std::string& from, const std::string& to,
         const std::string& related_name) {
    db.exec("INSERT INTO covet_relations(name, kind, from_table, to_table, related_name) VALUES (" + lit(name) +
            ", 'many_to_many', " + lit(from) + ", " + lit(to) + ", " + lit(related_name) + ")");
}

// The trigger's bookkeeping table holds rows only while a delete trigger runs.
void no_bookkeeping_left(Db& db) { CHECK(db.integer("SELECT count(*) FROM _covet_doomed") == 0); }

// Is the database consistent under covet's own notion of "references" (the insert check's)?
std::int64_t dangling(Db& db, const std::string& from, const std::string& column, const std::string& to,
                      const std::string& to_column) {
    return db.integer("SELECT count(*) FROM " + from + " AS r WHERE r." + column + " IS NOT NULL AND NOT EXISTS "
                      "(SELECT 1 FROM " + to + " AS p WHERE p." + to_column + " = +r." + column + ")");
}

// A file database under the temp directory, removed (with its journal) at the end of the scope.
class TempFile {
public:
    TempFile() {
        static int counter = 0;
        path_ = (std::filesystem::temp_directory_path() /
                 ("covet-enforcement-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + ".db"))
                    .string();
        remove();
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() { remove(); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    void remove() {
        for (const char* suffix : {"", "-journal", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
    }
};

// Authors, books (author CASCADE, editor SET_NULL: two relations to authors), chapters (book
// CASCADE: authors -> books -> chapters is a chain of three tables), categories and the
// books.categories junction.
//   authors    1 Ann, 2 Bob, 3 Cy
//   books      id,author,editor: 1,1,2  2,1,NULL  3,2,1  4,3,1
//   chapters   id,book: 1,1  2,1  3,2  4,3
//   categories 1 Fiction, 2 SF
//   books_categories book,category: 1,1  1,2  3,2  4,1
void library(Db& db) {
    db.exec(R"(
        CREATE TABLE authors(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE books(id INTEGER PRIMARY KEY, title TEXT NOT NULL,
            author_id INTEGER NOT NULL REFERENCES authors(id) DEFERRABLE INITIALLY DEFERRED,
            editor_id INTEGER REFERENCES authors(id) DEFERRABLE INITIALLY DEFERRED);
        CREATE TABLE chapters(id INTEGER PRIMARY KEY,
            book_id INTEGER NOT NULL REFERENCES books(id) DEFERRABLE INITIALLY DEFERRED, title TEXT);
        CREATE TABLE categories(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    )");
    fk(db, "books", "author_id", "authors", "CASCADE", "books");
    fk(db, "books", "editor_id", "authors", "SET_NULL", "edited_books");
    fk(db, "chapters", "book_id", "books", "CASCADE", "chapters");
    m2m(db, "books.categories", "books", "categories", "books");
    REQUIRE(list(db, "SELECT name, on_delete FROM covet_relations ORDER BY name") ==
            "books.author,CASCADE books.categories,NULL books.editor,SET_NULL chapters.book,CASCADE");
    db.exec(R"(
        INSERT INTO authors VALUES (1, 'Ann'), (2, 'Bob'), (3, 'Cy');
        INSERT INTO books VALUES (1, 'One', 1, 2), (2, 'Two', 1, NULL), (3, 'Three', 2, 1), (4, 'Four', 3, 1);
        INSERT INTO chapters VALUES (1, 1, 'a'), (2, 1, 'b'), (3, 2, 'c'), (4, 3, 'd');
        INSERT INTO categories VALUES (1, 'Fiction'), (2, 'SF');
        INSERT INTO books_categories(books_id, categories_id) VALUES (1, 1), (1, 2), (3, 2), (4, 1);
    )");
}

const char* const authors_q = "SELECT id FROM authors ORDER BY id";
const char* const books_q = "SELECT id, author_id, editor_id FROM books ORDER BY id";
const char* const chapters_q = "SELECT id, book_id FROM chapters ORDER BY id";
const char* const junction_q = "SELECT books_id, categories_id FROM books_categories ORDER BY 1, 2";

// Django's Artist / Album / Song example for RESTRICT (docs of ForeignKey.on_delete):
// Album.artist CASCADE, Song.artist CASCADE, Song.album RESTRICT.
//   artists 1 one, 2 two; albums 1 (artist 1), 2 (artist 2);
//   songs 1 (artist 1, album 1), 2 (artist 1, album 2)
void artists(Db& db) {
    db.exec(R"(
        CREATE TABLE artists(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE albums(id INTEGER PRIMARY KEY,
            artist_id INTEGER NOT NULL REFERENCES artists(id) DEFERRABLE INITIALLY DEFERRED);
        CREATE TABLE songs(id INTEGER PRIMARY KEY,
            artist_id INTEGER NOT NULL REFERENCES artists(id) DEFERRABLE INITIALLY DEFERRED,
            album_id INTEGER NOT NULL REFERENCES albums(id) DEFERRABLE INITIALLY DEFERRED);
    )");
    fk(db, "albums", "artist_id", "artists", "CASCADE", "albums");
    fk(db, "songs", "artist_id", "artists", "CASCADE", "songs");
    fk(db, "songs", "album_id", "albums", "RESTRICT", "songs");
    db.exec(R"(
        INSERT INTO artists VALUES (1, 'artist one'), (2, 'artist two');
        INSERT INTO albums VALUES (1, 1), (2, 2);
        INSERT INTO songs VALUES (1, 1, 1), (2, 1, 2);
    )");
}

// Self-referential nodes(parent_id CASCADE).
void nodes(Db& db) {
    db.exec("CREATE TABLE nodes(id INTEGER PRIMARY KEY,"
            " parent_id INTEGER REFERENCES nodes(id) DEFERRABLE INITIALLY DEFERRED)");
    fk(db, "nodes", "parent_id", "nodes", "CASCADE", "children");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// CASCADE, SET_NULL, SET_DEFAULT, DO_NOTHING

TEST_CASE("CASCADE removes referencing rows through every level, junction rows included") {
    in_each_mode([](Db& db) {
        library(db);
        db.exec("DELETE FROM authors WHERE id = 1");
        CHECK(list(db, authors_q) == "2 3");
        // Ann's books 1 and 2 are gone (book 1 although Bob edits it: CASCADE wins over the
        // surviving editor's SET_NULL); books 3 and 4, which she only edits, stay with editor NULL.
        CHECK(list(db, books_q) == "3,2,NULL 4,3,NULL");
        // The chapters of books 1 and 2 (second level) are gone; chapter 4 of book 3 stays:
        // SET_NULL does not go further than the updated row.
        CHECK(list(db, chapters_q) == "4,3");
        CHECK(list(db, junction_q) == "3,2 4,1");
        CHECK(list(db, "SELECT id FROM categories ORDER BY id") == "1 2");
        CHECK(db.integer("SELECT changes()") == 1);  // triggers' rows are not counted (sqlite-facts)
        no_bookkeeping_left(db);
        CHECK(db.rows("PRAGMA foreign_key_check").empty());
    });
}

TEST_CASE("several relations between the same two tables: author CASCADE, editor SET_NULL") {
    in_each_mode([](Db& db) {
        library(db);
        CHECK(list(db, "SELECT name, related_name FROM covet_relations WHERE to_table = 'authors' ORDER BY name") ==
              "books.author,books books.editor,edited_books");
        db.exec("DELETE FROM authors WHERE id = 2");
        // Bob wrote book 3 (deleted with its chapter 4 and junction row) and edits book 1 (kept, editor NULL).
        CHECK(list(db, books_q) == "1,1,NULL 2,1,NULL 4,3,1");
        CHECK(list(db, chapters_q) == "1,1 2,1 3,2");
        CHECK(list(db, junction_q) == "1,1 1,2 4,1");
        no_bookkeeping_left(db);
    });
}

TEST_CASE("a multi-row DELETE ... WHERE cascades from every row") {
    in_each_mode([](Db& db) {
        library(db);
        db.exec("DELETE FROM authors WHERE id IN (1, 2)");
        CHECK(list(db, authors_q) == "3");
        CHECK(list(db, books_q) == "4,3,NULL");
        CHECK(list(db, chapters_q) == "");
        CHECK(list(db, junction_q) == "4,1");
        no_bookkeeping_left(db);

        db.exec("DELETE FROM authors");
        CHECK(db.integer("SELECT count(*) FROM authors") == 0);
        CHECK(db.integer("SELECT count(*) FROM books") == 0);
        CHECK(db.integer("SELECT count(*) FROM books_categories") == 0);
        CHECK(db.integer("SELECT count(*) FROM categories") == 2);
        no_bookkeeping_left(db);
    });
}

TEST_CASE("deleting a row in the middle of the chain cascades down, never up") {
    in_each_mode([](Db& db) {
        library(db);
        db.exec("DELETE FROM books WHERE id = 1");
        CHECK(list(db, authors_q) == "1 2 3");
        CHECK(list(db, books_q) == "2,1,NULL 3,2,1 4,3,1");
        CHECK(list(db, chapters_q) == "3,2 4,3");
        CHECK(list(db, junction_q) == "3,2 4,1");
        // A leaf nothing references: only itself.
        db.exec("DELETE FROM chapters WHERE id = 3");
        CHECK(list(db, chapters_q) == "4,3");
        CHECK(list(db, books_q) == "2,1,NULL 3,2,1 4,3,1");
        no_bookkeeping_left(db);
    });
}

TEST_CASE("SET_NULL and SET_DEFAULT update the referencing rows and stop there") {
    in_each_mode([](Db& db) {
        db.exec(R"(
            CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);
            CREATE TABLE posts(id INTEGER PRIMARY KEY,
                author_id INTEGER NOT NULL DEFAULT 1 REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
                reviewer_id INTEGER REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED);
            CREATE TABLE comments(id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL DEFAULT 1 REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED);
            CREATE TABLE likes(id INTEGER PRIMARY KEY,
                post_id INTEGER NOT NULL REFERENCES posts(id) DEFERRABLE INITIALLY DEFERRED);
        )");
        // posts.author: SET_DEFAULT to the column's declared DEFAULT (1);
        // comments.user: SET_DEFAULT to default_value 2, which overrides the declared DEFAULT 1.
        fk(db, "posts", "author_id", "users", "SET_DEFAULT", "posts");
        fk(db, "posts", "reviewer_id", "users", "SET_NULL", "reviewed_posts");
        db.exec("INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name, "
                "default_value) VALUES ('foreign_key', 'comments', 'user_id', 'users', 'SET_DEFAULT', 'comments', 2)");
        fk(db, "likes", "post_id", "posts", "CASCADE", "likes");
        db.exec(R"(
            INSERT INTO users VALUES (1, 'default'), (2, 'ghost'), (3, 'Cy'), (4, 'Di');
            INSERT INTO posts VALUES (1, 3, 4), (2, 4, 3), (3, 3, NULL);
            INSERT INTO comments VALUES (1, 3), (2, 4);
            INSERT INTO likes VALUES (1, 1), (2, 2), (3, 3);
        )");
        db.exec("DELETE FROM users WHERE id = 3");
        CHECK(list(db, "SELECT id FROM users ORDER BY id") == "1 2 4");
        CHECK(list(db, "SELECT id, author_id, reviewer_id FROM posts ORDER BY id") == "1,1,4 2,4,NULL 3,1,NULL");
        CHECK(list(db, "SELECT id, user_id FROM comments ORDER BY id") == "1,2 2,4");
        // The updated posts keep their likes: an update is not a delete.
        CHECK(list(db, "SELECT id, post_id FROM likes ORDER BY id") == "1,1 2,2 3,3");
        no_bookkeeping_left(db);
    });
}

TEST_CASE("SET_DEFAULT is refused when the default row is deleted too or does not exist") {
    in_each_mode([](Db& db) {
        db.exec(R"(
            CREATE TABLE users(id INTEGER PRIMARY KEY);
            CREATE TABLE posts(id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL DEFAULT 1);
            CREATE TABLE notes(id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);
        )");
        fk(db, "posts", "author_id", "users", "SET_DEFAULT", "posts");
        db.exec("INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name, "
                "default_value) VALUES ('foreign_key', 'notes', 'user_id', 'users', 'SET_DEFAULT', 'notes', 99)");
        db.exec("INSERT INTO users VALUES (1), (2), (3); INSERT INTO posts VALUES (1, 1), (2, 2);"
                " INSERT INTO notes VALUES (1, 3)");
        std::string before = db.snapshot();

        // Deleting user 1 would set post 1 to the default user 1, which this very delete removes.
        refused(db, "DELETE FROM users WHERE id = 1", "covet: SET_DEFAULT", "posts.author");
        CHECK(db.snapshot() == before);

        // Deleting user 3 would set note 1 to user 99, which does not exist: the update is refused.
        refused(db, "DELETE FROM users WHERE id = 3", "covet:", "notes.user");
        CHECK(db.snapshot() == before);

        db.exec("DELETE FROM users WHERE id = 2");  // post 2 moves to user 1, which stays
        CHECK(list(db, "SELECT id, author_id FROM posts ORDER BY id") == "1,1 2,1");
        no_bookkeeping_left(db);
    });
}

TEST_CASE("DO_NOTHING leaves dangling rows") {
    in_each_mode([](Db& db) {
        // No REFERENCES clause: like Django's db_constraint=False, the only way DO_NOTHING can
        // leave dangling rows once foreign_keys is ON.
        db.exec(R"(
            CREATE TABLE authors(id INTEGER PRIMARY KEY);
            CREATE TABLE books(id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, title TEXT);
            CREATE TABLE logs(id INTEGER PRIMARY KEY, author_id INTEGER);
        )");
        fk(db, "books", "author_id", "authors", "CASCADE", "books");
        fk(db, "logs", "author_id", "authors", "DO_NOTHING", "logs");
        db.exec("INSERT INTO authors VALUES (1), (2); INSERT INTO books VALUES (1, 1, 'a'), (2, 2, 'b');"
                " INSERT INTO logs VALUES (1, 1), (2, 2)");
        db.exec("DELETE FROM authors WHERE id = 1");
        CHECK(list(db, "SELECT id, author_id FROM books") == "2,2");
        CHECK(list(db, "SELECT id, author_id FROM logs ORDER BY id") == "1,1 2,2");
        CHECK(dangling(db, "logs", "author_id", "authors", "id") == 1);
        // The dangling row can still be changed elsewhere, and deleted.
        db.exec("UPDATE logs SET id = 10 WHERE id = 1");
        db.exec("DELETE FROM logs WHERE id = 10");
        // But a new reference to a missing key is refused, DO_NOTHING or not.
        refused(db, "INSERT INTO logs VALUES (3, 1)", "covet:", "logs.author");
        no_bookkeeping_left(db);
    });
}

// ---------------------------------------------------------------------------------------------
// PROTECT and RESTRICT

TEST_CASE("PROTECT refuses the delete of a referenced row") {
    in_each_mode([](Db& db) {
        db.exec(R"(
            CREATE TABLE publishers(id INTEGER PRIMARY KEY);
            CREATE TABLE books(id INTEGER PRIMARY KEY,
                publisher_id INTEGER NOT NULL REFERENCES publishers(id) DEFERRABLE INITIALLY DEFERRED);
            INSERT INTO publishers VALUES (1), (2);
            INSERT INTO books VALUES (1, 1);
        )");
        fk(db, "books", "publisher_id", "publishers", "PROTECT", "books");
        std::string before = db.snapshot();
        refused(db, "DELETE FROM publishers WHERE id = 1", "covet: PROTECT", "books.publisher");
        CHECK(db.snapshot() == before);
        // Unreferenced rows go; once the book is gone its publisher goes too.
        db.exec("DELETE FROM publishers WHERE id = 2");
        db.exec("DELETE FROM books WHERE id = 1");
        db.exec("DELETE FROM publishers WHERE id = 1");
        CHECK(db.integer("SELECT count(*) FROM publishers") == 0);
        no_bookkeeping_left(db);
    });
}

TEST_CASE("PROTECT looks at the whole deletion set, even when the protecting row would be cascaded") {
    in_each_mode([](Db& db) {
        // authors -> books CASCADE, authors -> reviews CASCADE, reviews.book PROTECT.
        // Ann reviews her own book: deleting Ann would remove the review too, yet Django raises
        // ProtectedError (deletion.py collects PROTECT referrers whether or not they are collected).
        db.exec(R"(
            CREATE TABLE authors(id INTEGER PRIMARY KEY);
            CREATE TABLE books(id INTEGER PRIMARY KEY,
                author_id INTEGER NOT NULL REFERENCES authors(id) DEFERRABLE INITIALLY DEFERRED);
            CREATE TABLE reviews(id INTEGER PRIMARY KEY,
                author_id INTEGER NOT NULL REFERENCES authors(id) DEFERRABLE INITIALLY DEFERRED,
                book_id INTEGER NOT NULL REFERENCES books(id) DEFERRABLE INITIALLY DEFERRED);
            CREATE TABLE chapters(id INTEGER PRIMARY KEY,
                book_id INTEGER NOT NULL REFERENCES books(id) DEFERRABLE INITIALLY DEFERRED);
            CREATE TABLE quotes(id INTEGER PRIMARY KEY,
                chapter_id INTEGER NOT NULL REFERENCES chapters(id) DEFERRABLE INITIALLY DEFERRED);
        )");
        fk(db, "books", "author_id", "authors", "CASCADE", "books");
        fk(db, "reviews", "author_id", "authors", "CASCADE", "reviews");
        fk(db, "reviews", "book_id", "books", "PROTECT", "reviews");
        fk(db, "chapters", "book_id", "books", "CASCADE", "chapters");
        fk(db, "quotes", "chapter_id", "chapters", "PROTECT", "quotes");
        db.exec(R"(
            INSERT INTO authors VALUES (1), (2);
            INSERT INTO books VALUES (1, 1), (2, 2);
            INSERT INTO reviews VALUES (1, 1, 1);
            INSERT INTO chapters VALUES (1, 1), (2, 2);
            INSERT INTO quotes VALUES (1, 2);
        )");
        std::string before = db.snapshot();

        refused(db, "DELETE FROM authors WHERE id = 1", "covet: PROTECT", "reviews.book");
        CHECK(db.snapshot() == before);

        // Two levels down: Bob's book 2 -> chapter 2 is quoted through PROTECT.
        refused(db, "DELETE FROM authors WHERE id = 2", "covet: PROTECT", "quotes.chapter");
        CHECK(db.snapshot() == before);

        // Without the protecting rows both deletes go through.
        db.exec("DELETE FROM reviews; DELETE FROM quotes");
        db.exec("DELETE FROM authors WHERE id = 1");
        db.exec("DELETE FROM authors WHERE id = 2");
        CHECK(db.integer("SELECT count(*) FROM books") + db.integer("SELECT count(*) FROM chapters") == 0);
        no_bookkeeping_left(db);
    });
}

TEST_CASE("RESTRICT: Django's Artist / Album / Song example") {
    in_each_mode([](Db& db) {
        artists(db);
        std::string before = db.snapshot();

        // album_one.delete(): song 1 references it and would survive -> RestrictedError.
        refused(db, "DELETE FROM albums WHERE id = 1", "covet: RESTRICT", "songs.album");
        CHECK(db.snapshot() == before);

        // artist_two.delete(): removes album 2, which song 2 (artist one's) references -> RestrictedError.
        refused(db, "DELETE FROM artists WHERE id = 2", "covet: RESTRICT", "songs.album");
        CHECK(db.snapshot() == before);

        // artist_one.delete(): songs 1 and 2 are deleted by the same delete, so album 1 may go.
        // Django: (4, {'Song': 2, 'Album': 1, 'Artist': 1}).
        db.exec("DELETE FROM artists WHERE id = 1");
        CHECK(list(db, "SELECT id FROM artists") == "2");
        CHECK(list(db, "SELECT id, artist_id FROM albums") == "2,2");
        CHECK(db.integer("SELECT count(*) FROM songs") == 0);

        // Nothing restricts album 2 any more.
        db.exec("DELETE FROM artists WHERE id = 2");
        CHECK(db.integer("SELECT count(*) FROM albums") == 0);
        no_bookkeeping_left(db);
    });
}

// ---------------------------------------------------------------------------------------------
// A refused delete changes nothing

TEST_CASE("a refused delete changes nothing, in autocommit and inside a transaction") {
    in_each_mode([](Db& db) {
        library(db);
        db.exec(R"(
            CREATE TABLE awards(id INTEGER PRIMARY KEY,
                chapter_id INTEGER NOT NULL REFERENCES chapters(id) DEFERRABLE INITIALLY DEFERRED);
            INSERT INTO awards VALUES (1, 4);
        )");
        fk(db, "awards", "chapter_id", "chapters", "PROTECT", "awards");
        std::string before = db.snapshot();

        // Bob -> book 3 -> chapter 4 is protected by award 1. In the multi-row delete, Ann's row
        // comes first and its cascade runs completely before Bob's trigger refuses: all of it
        // must be undone, Ann's books, chapters, junction rows and SET_NULLs included.
        for (const char* sql : {"DELETE FROM authors WHERE id = 2", "DELETE FROM authors WHERE id IN (1, 2)",
                                "DELETE FROM authors", "DELETE FROM books WHERE id = 3"}) {
            INFO(std::string(sql));
            refused(db, sql, "covet: PROTECT", "awards.chapter");
            CHECK(db.snapshot() == before);
        }

        db.exec("BEGIN");
        db.exec("INSERT INTO categories VALUES (3, 'Poetry')");
        db.exec("DELETE FROM authors WHERE id = 3");  // succeeds: book 4 and its junction row go
        std::string inside = db.snapshot();
        std::string error = db.error("DELETE FROM authors WHERE id IN (1, 2)");
        CHECK(starts_with(error, "covet: PROTECT"));
        CHECK(db.snapshot() == inside);
        CHECK(sqlite3_get_autocommit(db.get()) == 0);  // the statement was undone, not the transaction
        db.exec("COMMIT");
        CHECK(list(db, authors_q) == "1 2");
        CHECK(list(db, books_q) == "1,1,2 2,1,NULL 3,2,1");
        CHECK(list(db, "SELECT id FROM categories ORDER BY id") == "1 2 3");
        no_bookkeeping_left(db);
    });
}

// ---------------------------------------------------------------------------------------------
// INSERT and UPDATE

TEST_CASE("INSERT and UPDATE of a referencing row must point at an existing row") {
    in_each_mode([](Db& db) {
        library(db);
        std::string before = db.snapshot();

        refused(db, "INSERT INTO books VALUES (10, 'Ten', 99, NULL)", "covet:", "books.author");
        refused(db, "INSERT INTO books VALUES (10, 'Ten', 1, 99)", "covet:", "books.editor");
        refused(db, "INSERT INTO chapters VALUES (10, 99, 'x')", "covet:", "chapters.book");
        // Junction rows: both of their columns are checked.
        refused(db, "INSERT INTO books_categories(books_id, categories_id) VALUES (99, 1)", "covet:", "books.categories");
        refused(db, "INSERT INTO books_categories(books_id, categories_id) VALUES (2, 99)", "covet:", "books.categories");
        // A multi-row insert with one bad row inserts nothing.
        refused(db, "INSERT INTO books VALUES (10, 'Ten', 1, NULL), (11, 'Eleven', 99, NULL)", "covet:", "books.author");

        refused(db, "UPDATE books SET author_id = 99 WHERE id = 1", "covet:", "books.author");
        refused(db, "UPDATE books SET editor_id = 99 WHERE id = 2", "covet:", "books.editor");
        refused(db, "UPDATE books_categories SET categories_id = 99 WHERE books_id = 1", "covet:", "books.categories");
        CHECK(db.snapshot() == before);

        // NULL is allowed where the column allows it; NOT NULL is SQLite's to enforce.
        db.exec("INSERT INTO books VALUES (10, 'Ten', 1, NULL)");
        db.exec("UPDATE books SET editor_id = NULL WHERE id = 1");
        CHECK(!contains(db.error("INSERT INTO books VALUES (11, 'Eleven', NULL, NULL)"), "covet"));
        // Existing targets are fine.
        db.exec("UPDATE books SET author_id = 3, editor_id = 2 WHERE id = 10");
        db.exec("INSERT INTO books_categories(books_id, categories_id) VALUES (10, 2)");
        db.exec("UPDATE books_categories SET categories_id = 1 WHERE books_id = 10");
        // Rewriting a column with its own value is no change.
        db.exec("UPDATE books SET author_id = author_id, title = 'One!' WHERE id = 1");
        CHECK(list(db, "SELECT id, author_id, editor_id, title FROM books WHERE id IN (1, 10) ORDER BY id") ==
              "1,1,NULL,One! 10,3,2,Ten");
    });
}

TEST_CASE("changing the key of a referenced row is refused, of an unreferenced row allowed") {
    in_each_mode([](Db& db) {
        library(db);
        // Di (4) only edits book 2; Ed (5) and Poetry (3) are referenced by nothing.
        db.exec("INSERT INTO authors VALUES (4, 'Di'), (5, 'Ed'); INSERT INTO categories VALUES (3, 'Poetry');"
                " UPDATE books SET editor_id = 4 WHERE id = 2");
        std::string before = db.snapshot();

        refused(db, "UPDATE authors SET id = 10 WHERE id = 1", "covet: cannot change authors.id", "books.author");
        refused(db, "UPDATE authors SET id = 40 WHERE id = 4", "covet: cannot change authors.id", "books.editor");
        refused(db, "UPDATE books SET id = 10 WHERE id = 3", "covet: cannot change books.id", "chapters.book");
        // Referenced only through the junction.
        refused(db, "UPDATE books SET id = id + 100 WHERE id = 4", "covet:", "books.categories");
        refused(db, "UPDATE categories SET id = 10 WHERE id = 2", "covet: cannot change categories.id", "books.categories");
        // A multi-row update with one referenced row changes nothing.
        refused(db, "UPDATE authors SET id = id + 100 WHERE id IN (5, 1)", "covet:", "books.author");
        CHECK(db.snapshot() == before);

        db.exec("UPDATE authors SET id = 50 WHERE id = 5");
        db.exec("UPDATE categories SET id = 30 WHERE id = 3");
        db.exec("UPDATE chapters SET id = 40 WHERE id = 4");         // chapters are referenced by nothing
        db.exec("UPDATE authors SET name = 'Ann B.' WHERE id = 1");  // other columns are free
        db.exec("UPDATE authors SET id = 1 WHERE id = 1");           // and so is the same key
        CHECK(list(db, authors_q) == "1 2 3 4 50");
        CHECK(list(db, "SELECT id FROM categories ORDER BY id") == "1 2 30");
        CHECK(list(db, chapters_q) == "1,1 2,1 3,2 40,3");
    });
}

// BUG (reported): SQLite fires `BEFORE UPDATE OF "id"` only when "id" is named in the SET list;
// `SET rowid = ...` (or _rowid_, oid) changes an INTEGER PRIMARY KEY all the same, so both the
// key-change check and the reference check are bypassed. Fix idea: add the rowid aliases that
// the table does not shadow to the trigger's OF list when the watched column is the rowid alias.
TEST_CASE("changing a key through rowid, _rowid_ or oid is checked like through its name") {
    Db db;
    db.exec(R"(
        CREATE TABLE authors(id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE books(id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL);
        CREATE TABLE profiles(author_id INTEGER PRIMARY KEY, bio TEXT);
    )");
    fk(db, "books", "author_id", "authors", "CASCADE", "books");
    db.exec("INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name) "
            "VALUES ('one_to_one', 'profiles', 'author_id', 'authors', 'CASCADE', 'profile')");
    db.exec("INSERT INTO authors VALUES (1, 'Ann'), (2, 'Bob'); INSERT INTO books VALUES (1, 1), (2, 2);"
            " INSERT INTO profiles VALUES (1, 'bio')");
    std::string before = db.snapshot();
    for (const char* alias : {"rowid", "_rowid_", "oid"}) {
        INFO(std::string(alias));
        std::optional<std::string> error = attempt(db, std::string("UPDATE authors SET ") + alias + " = 10 WHERE id = 1");
        CHECK(error.has_value());
        if (error) CHECK(starts_with(*error, "covet: cannot change authors.id"));
        CHECK(dangling(db, "books", "author_id", "authors", "id") == 0);
        // The referencing side: profiles.author_id is the profile's rowid.
        error = attempt(db, std::string("UPDATE profiles SET ") + alias + " = 99 WHERE author_id = 1");
        CHECK(error.has_value());
        if (error) CHECK(contains(*error, "relation profiles.author"));
        CHECK(dangling(db, "profiles", "author_id", "authors", "id") == 0);
        CHECK(db.snapshot() == before);
        db.exec("UPDATE authors SET id = 1 WHERE name = 'Ann'; UPDATE profiles SET author_id = 1");  // undo
    }
}

// ---------------------------------------------------------------------------------------------
// Self-referential relations and cycles

TEST_CASE("a 10,000-deep parent chain is deleted from its root in one statement") {
    in_each_mode([](Db& db) {
        nodes(db);
        db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) "
                "INSERT INTO nodes SELECT i, nullif(i - 1, 0) FROM n");
        REQUIRE(db.integer("SELECT count(*) FROM nodes") == 10000);
        REQUIRE(db.integer("SELECT max(parent_id) FROM nodes") == 9999);
        // Far deeper than SQLITE_MAX_TRIGGER_DEPTH (1000): the deletion set is computed up front.
        db.exec("DELETE FROM nodes WHERE id = 1");
        CHECK(db.integer("SELECT count(*) FROM nodes") == 0);
        no_bookkeeping_left(db);
    });
}

TEST_CASE("a 100,000-node tree is deleted from its root in one statement") {
    in_each_mode([](Db& db) {
        nodes(db);
        // Node i has parent i / 2: a binary tree of depth 16.
        db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) "
                "INSERT INTO nodes SELECT i, nullif(i / 2, 0) FROM n");
        REQUIRE(db.integer("SELECT count(*) FROM nodes") == 100000);
        // A subtree first: node 2 and its 65,534 descendants (the ids whose binary form starts
        // with 10), the rest untouched.
        db.exec("DELETE FROM nodes WHERE id = 2");
        CHECK(db.integer("SELECT count(*) FROM nodes") == 34465);
        CHECK(db.integer("SELECT count(*) FROM nodes WHERE id IN (2, 4, 5, 8, 65536, 98303)") == 0);
        CHECK(db.integer("SELECT count(*) FROM nodes WHERE id IN (1, 3, 6, 7, 65535, 98304, 100000)") == 7);
        db.exec("DELETE FROM nodes WHERE id = 1");
        CHECK(db.integer("SELECT count(*) FROM nodes") == 0);
        no_bookkeeping_left(db);
    });
}

TEST_CASE("self-referential SET_NULL: the children become roots, grandchildren stay") {
    in_each_mode([](Db& db) {
        db.exec("CREATE TABLE categories(id INTEGER PRIMARY KEY, name TEXT,"
                " parent_id INTEGER REFERENCES categories(id) DEFERRABLE INITIALLY DEFERRED)");
        fk(db, "categories", "parent_id", "categories", "SET_NULL", "children");
        db.exec("INSERT INTO categories VALUES (1, 'root', NULL), (2, 'a', 1), (3, 'b', 1), (4, 'a1', 2),"
                " (5, 'a1x', 4), (6, 'other', NULL)");
        db.exec("DELETE FROM categories WHERE id = 1");
        CHECK(list(db, "SELECT id, parent_id FROM categories ORDER BY id") == "2,NULL 3,NULL 4,2 5,4 6,NULL");
        db.exec("DELETE FROM categories WHERE id IN (2, 4)");
        CHECK(list(db, "SELECT id, parent_id FROM categories ORDER BY id") == "3,NULL 5,NULL 6,NULL");
        no_bookkeeping_left(db);
    });
}

TEST_CASE("cycles: deleting one row removes the cycle's rows and terminates") {
    in_each_mode([](Db& db) {
        // Two tables referencing each other, both CASCADE (explicit related names: the defaults
        // would clash with the other relation's name).
        db.exec(R"(
            CREATE TABLE a(id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b(id) DEFERRABLE INITIALLY DEFERRED);
            CREATE TABLE b(id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id) DEFERRABLE INITIALLY DEFERRED);
        )");
        fk(db, "a", "b_id", "b", "CASCADE", "a_rows");
        fk(db, "b", "a_id", "a", "CASCADE", "b_rows");
        db.exec("INSERT INTO a VALUES (1, NULL), (2, NULL), (3, NULL);"
                " INSERT INTO b VALUES (1, 1), (2, 2), (3, 1);"
                " UPDATE a SET b_id = 1 WHERE id = 1; UPDATE a SET b_id = 3 WHERE id = 3; UPDATE a SET b_id = 2 WHERE id = 2");
        // a1 <-> b1, b3 -> a1, a3 -> b3: all four go; the a2 <-> b2 cycle stays.
        db.exec("DELETE FROM a WHERE id = 1");
        CHECK(list(db, "SELECT id, b_id FROM a ORDER BY id") == "2,2");
        CHECK(list(db, "SELECT id, a_id FROM b ORDER BY id") == "2,2");
        db.exec("DELETE FROM b WHERE id = 2");
        CHECK(db.integer("SELECT count(*) FROM a") + db.integer("SELECT count(*) FROM b") == 0);

        // A self-referential cycle 1 -> 2 -> 3 -> 1 and a row that is its own parent.
        nodes(db);
        db.exec("INSERT INTO nodes VALUES (1, NULL), (2, 1), (3, 2), (4, NULL), (5, 4);"
                " UPDATE nodes SET parent_id = 3 WHERE id = 1; UPDATE nodes SET parent_id = 4 WHERE id = 4");
        db.exec("DELETE FROM nodes WHERE id = 2");
        CHECK(list(db, "SELECT id, parent_id FROM nodes ORDER BY id") == "4,4 5,4");
        db.exec("DELETE FROM nodes WHERE id = 4");
        CHECK(db.integer("SELECT count(*) FROM nodes") == 0);
        no_bookkeeping_left(db);
    });
}

TEST_CASE("many_to_many junction rows go with either side, self-referential ones included") {
    in_each_mode([](Db& db) {
        library(db);
        db.exec("DELETE FROM categories WHERE id = 2");
        CHECK(list(db, junction_q) == "1,1 4,1");
        CHECK(db.integer("SELECT count(*) FROM books") == 4);
        db.exec("DELETE FROM books WHERE id = 4");
        CHECK(list(db, junction_q) == "1,1");
        CHECK(list(db, "SELECT id FROM categories") == "1");

        db.exec("CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT)");
        m2m(db, "people.friends", "people", "people", "+");
        REQUIRE(list(db, "SELECT through_table, through_from_column, through_to_column FROM covet_relations "
                         "WHERE name = 'people.friends'") == "people_friends,from_people_id,to_people_id");
        db.exec("INSERT INTO people VALUES (1, 'a'), (2, 'b'), (3, 'c');"
                " INSERT INTO people_friends(from_people_id, to_people_id) VALUES (1, 2), (2, 1), (2, 3), (3, 1)");
        db.exec("DELETE FROM people WHERE id = 2");
        CHECK(list(db, "SELECT from_people_id, to_people_id FROM people_friends") == "3,1");
        CHECK(list(db, "SELECT id FROM people ORDER BY id") == "1 3");
        no_bookkeeping_left(db);
    });
}

// ---------------------------------------------------------------------------------------------
// The triggers are plain SQL: connections without covet enforce the same rules

TEST_CASE("a connection that has not loaded covet enforces the same rules") {
    for (const Mode& mode : modes) {
        INFO("mode: " << std::string(mode.name));
        TempFile file;
        {
            Db setup(file.path());
            library(setup);
            artists(setup);
        }
        Db db(file.path(), /*load_covet=*/false);
        apply(db, mode);
        CHECK(contains(db.error("SELECT covet_version()"), "no such function"));

        db.exec("DELETE FROM authors WHERE id = 1");
        CHECK(list(db, books_q) == "3,2,NULL 4,3,NULL");
        CHECK(list(db, chapters_q) == "4,3");
        CHECK(list(db, junction_q) == "3,2 4,1");

        std::string before = db.snapshot();
        std::string error = db.error("DELETE FROM albums WHERE id = 1");
        CHECK(starts_with(error, "covet: RESTRICT"));
        CHECK(db.snapshot() == before);
        error = db.error("INSERT INTO books VALUES (10, 'Ten', 1, NULL)");  // Ann is gone
        CHECK(starts_with(error, "covet:"));
        CHECK(contains(error, "relation books.author"));
        refused(db, "UPDATE authors SET id = 20 WHERE id = 2", "covet:", "books.author");
        CHECK(db.snapshot() == before);

        db.exec("DELETE FROM artists WHERE id = 1");
        CHECK(list(db, "SELECT id FROM albums") == "2");
        no_bookkeeping_left(db);
    }
}

TEST_CASE("PROTECT refuses on a connection without covet") {
    TempFile file;
    {
        Db setup(file.path());
        setup.exec("CREATE TABLE publishers(id INTEGER PRIMARY KEY);"
                   " CREATE TABLE books(id INTEGER PRIMARY KEY, publisher_id INTEGER NOT NULL);"
                   " INSERT INTO publishers VALUES (1); INSERT INTO books VALUES (1, 1)");
        fk(setup, "books", "publisher_id", "publishers", "PROTECT", "books");
    }
    Db db(file.path(), /*load_covet=*/false);
    std::string before = db.snapshot();
    refused(db, "DELETE FROM publishers", "covet: PROTECT", "books.publisher");
    CHECK(db.snapshot() == before);
}

// ---------------------------------------------------------------------------------------------
// Identifiers

TEST_CASE("identifiers that need quoting: \"my books\", \"the \"\"author\"\" id\", \"order\", it's") {
    in_each_mode([](Db& db) {
        db.exec(R"(
            CREATE TABLE "order"(id INTEGER PRIMARY KEY, "select" TEXT);
            CREATE TABLE "my books"(id INTEGER PRIMARY KEY, "the ""author"" id" INTEGER NOT NULL);
            CREATE TABLE "it's notes"(id INTEGER PRIMARY KEY, "from" INTEGER NOT NULL);
        )");
        fk(db, "my books", "the \"author\" id", "order", "CASCADE", "my_books");
        fk(db, "it's notes", "from", "my books", "PROTECT", "notes");
        m2m(db, "my books.orders", "my books", "order", "tagged_books");
        REQUIRE(list(db, "SELECT name FROM covet_relations ORDER BY name") ==
                "it's notes.from my books.orders my books.the \"author\" id");
        REQUIRE(list(db, "SELECT through_table, through_from_column, through_to_column FROM covet_relations "
                         "WHERE kind = 'many_to_many'") == "my books_orders,my books_id,order_id");
        db.exec(R"(
            INSERT INTO "order" VALUES (1, 'a'), (2, 'b');
            INSERT INTO "my books" VALUES (1, 1), (2, 1), (3, 2);
            INSERT INTO "my books_orders"("my books_id", order_id) VALUES (1, 2), (3, 1), (3, 2);
            INSERT INTO "it's notes" VALUES (1, 3);
        )");
        std::string error = db.error(R"(INSERT INTO "my books" VALUES (4, 99))");
        CHECK(starts_with(error, "covet:"));
        CHECK(contains(error, "relation my books.the \"author\" id"));
        refused(db, R"(INSERT INTO "it's notes" VALUES (2, 99))", "covet:", "it's notes.from");

        std::string before = db.snapshot();
        refused(db, R"(DELETE FROM "order" WHERE id = 2)", "covet: PROTECT", "it's notes.from");
        CHECK(db.snapshot() == before);

        db.exec(R"(DELETE FROM "order" WHERE id = 1)");
        CHECK(list(db, R"(SELECT id, "the ""author"" id" FROM "my books")") == "3,2");
        CHECK(list(db, R"(SELECT "my books_id", order_id FROM "my books_orders" ORDER BY 1, 2)") == "3,2");
        db.exec(R"(DELETE FROM "it's notes"; DELETE FROM "order")");
        CHECK(db.integer(R"(SELECT count(*) FROM "my books")") + db.integer(R"(SELECT count(*) FROM "my books_orders")") == 0);
        no_bookkeeping_left(db);
    });
}

// ---------------------------------------------------------------------------------------------
// Where row-by-row triggers and Django differ (pinned; covet_delete() has Django's semantics)

TEST_CASE("strictness: a multi-row DELETE whose rows RESTRICT each other is refused") {
    in_each_mode([](Db& db) {
        db.exec("CREATE TABLE nodes(id INTEGER PRIMARY KEY,"
                " parent_id INTEGER REFERENCES nodes(id) DEFERRABLE INITIALLY DEFERRED)");
        fk(db, "nodes", "parent_id", "nodes", "RESTRICT", "children");
        db.exec("INSERT INTO nodes VALUES (1, NULL), (2, 1), (3, 2)");
        std::string before = db.snapshot();
        // Django's Node.objects.filter(id__in=[1, 2, 3]).delete() succeeds: every restricting
        // row is itself deleted. The trigger of row 1 runs before rows 2 and 3 are deleted and
        // cannot know that they will be: it refuses. Stricter than Django, never looser here.
        refused(db, "DELETE FROM nodes WHERE id IN (1, 2, 3)", "covet: RESTRICT", "nodes.parent");
        refused(db, "DELETE FROM nodes", "covet: RESTRICT");
        CHECK(db.snapshot() == before);
        // covet_delete() plans the whole set at once: Django's exact result.
        CHECK(db.value("SELECT covet_delete('nodes', '[1, 2, 3]')") == R"({"total": 3, "per_table": {"nodes": 3}})");
        CHECK(db.integer("SELECT count(*) FROM nodes") == 0);
    });
}

TEST_CASE("looser than Django (reported): a multi-row DELETE can remove a PROTECT referrer before the row it protects") {
    in_each_mode([](Db& db) {
        // authors -> books CASCADE, authors -> reviews CASCADE, reviews.book PROTECT.
        // Review 1 is by Ann (1) about Bob's (2) book 20.
        db.exec(R"(
            CREATE TABLE authors(id INTEGER PRIMARY KEY);
            CREATE TABLE books(id INTEGER PRIMARY KEY,
                author_id INTEGER NOT NULL REFERENCES authors(id) DEFERRABLE INITIALLY DEFERRED);
            CREATE TABLE reviews(id INTEGER PRIMARY KEY,
                author_id INTEGER NOT NULL REFERENCES authors(id) DEFERRABLE INITIALLY DEFERRED,
                book_id INTEGER NOT NULL REFERENCES books(id) DEFERRABLE INITIALLY DEFERRED);
        )");
        fk(db, "books", "author_id", "authors", "CASCADE", "books");
        fk(db, "reviews", "author_id", "authors", "CASCADE", "reviews");
        fk(db, "reviews", "book_id", "books", "PROTECT", "reviews");
        db.exec("INSERT INTO authors VALUES (1), (2); INSERT INTO books VALUES (10, 1), (20, 2);"
                " INSERT INTO reviews VALUES (1, 1, 20)");
        std::string before = db.snapshot();

        // Django: Author.objects.filter(id__in=[1, 2]).delete() raises ProtectedError (book 20
        // is collected and review 1 references it through PROTECT, collected or not), and so
        // does covet_delete().
        refused(db, "SELECT covet_delete('authors', '[1, 2]')", "covet: PROTECT", "reviews.book");
        CHECK(db.snapshot() == before);

        // Deleting Bob alone is refused by the trigger too.
        CHECK(starts_with(db.error("DELETE FROM authors WHERE id = 2"), "covet: PROTECT"));
        CHECK(db.snapshot() == before);

        // But the multi-row DELETE goes through: Ann's trigger (first row) deletes review 1
        // with her, so when Bob's trigger runs nothing protects book 20 any more. Same result
        // as two single-row deletes in that order; a single Django delete() would refuse.
        db.exec("DELETE FROM authors WHERE id IN (1, 2)");
        CHECK(db.integer("SELECT count(*) FROM authors") == 0);
        CHECK(db.integer("SELECT count(*) FROM books") == 0);
        CHECK(db.integer("SELECT count(*) FROM reviews") == 0);
    });
}

TEST_CASE("strictness: a new row may not reference itself or a row inserted later") {
    in_each_mode([](Db& db) {
        nodes(db);
        // Django's deferred constraints would accept both; covet checks each row when it is written.
        refused(db, "INSERT INTO nodes VALUES (1, 1)", "covet:", "nodes.parent");
        db.exec("BEGIN");
        refused(db, "INSERT INTO nodes VALUES (2, 3)", "covet:", "nodes.parent");
        db.exec("INSERT INTO nodes VALUES (3, NULL); INSERT INTO nodes VALUES (2, 3)");
        db.exec("COMMIT");
        // A self reference can be made once the row exists.
        db.exec("INSERT INTO nodes VALUES (1, NULL); UPDATE nodes SET parent_id = 1 WHERE id = 1");
        CHECK(list(db, "SELECT id, parent_id FROM nodes ORDER BY id") == "1,1 2,3 3,NULL");
    });
}

// ---------------------------------------------------------------------------------------------
// INSERT OR REPLACE (SQLite's own semantics, pinned and reported)

TEST_CASE("INSERT OR REPLACE of a referenced row runs the delete trigger only with recursive_triggers ON") {
    in_each_mode([](Db& db) {
        bool recursive = db.integer("PRAGMA recursive_triggers") != 0;
        library(db);
        db.exec("CREATE TABLE awards(id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL)");
        fk(db, "awards", "author_id", "authors", "PROTECT", "awards");
        db.exec("INSERT INTO awards VALUES (1, 3)");

        // REPLACE deletes the conflicting row first. With recursive_triggers ON SQLite fires the
        // delete trigger for it: Ann's books, chapters and junction rows are cascaded away and
        // the books she edits lose their editor, although a row with the same key comes back.
        // With recursive_triggers OFF no delete trigger fires: everything keeps referencing the
        // new row with the same key. Use an UPSERT (ON CONFLICT DO UPDATE) to keep the children.
        db.exec("INSERT OR REPLACE INTO authors VALUES (1, 'Ann again')");
        CHECK(list(db, "SELECT id, name FROM authors ORDER BY id") == "1,Ann again 2,Bob 3,Cy");
        if (recursive) {
            CHECK(list(db, books_q) == "3,2,NULL 4,3,NULL");
            CHECK(list(db, chapters_q) == "4,3");
            CHECK(list(db, junction_q) == "3,2 4,1");
        } else {
            CHECK(list(db, books_q) == "1,1,2 2,1,NULL 3,2,1 4,3,1");
            CHECK(list(db, chapters_q) == "1,1 2,1 3,2 4,3");
        }
        // A PROTECTed row: with recursive_triggers ON the REPLACE is refused like a DELETE.
        std::string before = db.snapshot();
        std::optional<std::string> error = attempt(db, "INSERT OR REPLACE INTO authors VALUES (3, 'Cy again')");
        if (recursive) {
            REQUIRE(error.has_value());
            CHECK(starts_with(*error, "covet: PROTECT"));
            CHECK(db.snapshot() == before);
        } else {
            CHECK(!error.has_value());
            CHECK(list(db, "SELECT name FROM authors WHERE id = 3") == "Cy again");
        }
        // The UPSERT keeps the children in every mode.
        db.exec("INSERT INTO authors VALUES (2, 'Bob again') ON CONFLICT(id) DO UPDATE SET name = excluded.name");
        CHECK(list(db, "SELECT id FROM books WHERE author_id = 2") == "3");
        no_bookkeeping_left(db);
    });
}

// ---------------------------------------------------------------------------------------------
// Value comparison: the delete must treat as referencing exactly what the insert check accepts

// BUG (reported): the insert check compares `p.code = +NEW.country` with the parent column's
// collation (NOCASE here) while the cascade / PROTECT / key-change checks compare
// `r.country = p.code` / `r.country IN (...)` with the referencing column's (BINARY): a row the
// insert check accepted as referencing 'fr' is left dangling by the cascade, and a PROTECT
// referrer is not seen. (SQLite's own foreign keys use the parent key's collation.)
TEST_CASE("collation: a NOCASE parent key is compared the same way on insert and on delete") {
    Db db;
    db.exec(R"(
        CREATE TABLE countries(code TEXT PRIMARY KEY COLLATE NOCASE, name TEXT);
        CREATE TABLE cities(id INTEGER PRIMARY KEY, country TEXT NOT NULL);
        CREATE TABLE embassies(id INTEGER PRIMARY KEY, country TEXT NOT NULL);
    )");
    fk(db, "cities", "country", "countries", "CASCADE", "cities");
    fk(db, "embassies", "country", "countries", "PROTECT", "embassies");
    db.exec("INSERT INTO countries VALUES ('fr', 'France'), ('de', 'Germany'), ('it', 'Italy')");
    // Accepted by covet: 'FR' references country 'fr', 'DE' references 'de'.
    db.exec("INSERT INTO cities VALUES (1, 'FR'), (2, 'fr'); INSERT INTO embassies VALUES (1, 'DE')");

    db.exec("DELETE FROM countries WHERE code = 'fr'");
    CHECK(list(db, "SELECT id FROM cities") == "");
    CHECK(dangling(db, "cities", "country", "countries", "code") == 0);

    std::string before = db.snapshot();
    std::optional<std::string> error = attempt(db, "DELETE FROM countries WHERE code = 'de'");
    CHECK(error.has_value());
    if (error) CHECK(starts_with(*error, "covet: PROTECT"));
    error = attempt(db, "UPDATE countries SET code = 'xx' WHERE code = 'de'");
    CHECK(error.has_value());
    CHECK(dangling(db, "embassies", "country", "countries", "code") == 0);
    CHECK(db.snapshot() == before);
}

namespace {
// countries(code) with a BINARY key, and cities.country, COLLATE NOCASE, referencing it (CASCADE).
void nocase_cities(Db& db) {
    db.exec(R"(
        CREATE TABLE countries(code TEXT PRIMARY KEY, name TEXT);
        CREATE TABLE cities(id INTEGER PRIMARY KEY, country TEXT NOT NULL COLLATE NOCASE);
    )");
    fk(db, "cities", "country", "countries", "CASCADE", "cities");
}
}  // namespace

// BUG (reported), the other direction: a NOCASE referencing column and a BINARY parent key. The
// insert check uses BINARY ('fr' references 'fr' only), the cascade NOCASE: deleting country 'FR'
// also deletes the city of the surviving country 'fr'.
TEST_CASE("collation: a NOCASE referencing column does not widen the cascade") {
    Db db;
    nocase_cities(db);
    db.exec("INSERT INTO countries VALUES ('fr', 'lower'), ('FR', 'upper');"
            " INSERT INTO cities VALUES (1, 'FR'), (2, 'fr')");
    db.exec("DELETE FROM countries WHERE code = 'FR'");
    CHECK(list(db, "SELECT id, country FROM cities") == "2,fr");
}

// The update check looked for a change with the referencing column's collation: under NOCASE,
// 'fr' -> 'FR' was no change, so an UPDATE stored the reference that an INSERT refuses.
TEST_CASE("collation: a NOCASE referencing column is checked on update as on insert") {
    Db db;
    nocase_cities(db);
    db.exec("INSERT INTO countries VALUES ('fr', 'France'); INSERT INTO cities VALUES (1, 'fr')");
    const std::string before = db.snapshot();
    const std::string refused = "covet: cities.country must reference an existing countries.code (relation cities.country)";
    CHECK(attempt(db, "INSERT INTO cities VALUES (2, 'FR')") == refused);
    CHECK(attempt(db, "UPDATE cities SET country = 'FR' WHERE id = 1") == refused);
    CHECK(db.snapshot() == before);
    CHECK(dangling(db, "cities", "country", "countries", "code") == 0);
    // A change the check accepts: to another existing country, in any case the key has.
    db.exec("INSERT INTO countries VALUES ('DE', 'Germany'); UPDATE cities SET country = 'DE' WHERE id = 1");
    CHECK(list(db, "SELECT country FROM cities") == "DE");
}

// BUG (reported): a referencing column without INTEGER affinity (declared TEXT, or with no type)
// may hold the key as text. The insert check (`p.id = +NEW.author_id`, p.id INTEGER) accepts
// '2' as a reference to author 2, and the CASCADE closure follows it; but PROTECT, RESTRICT,
// SET_NULL and SET_DEFAULT test `r.author_id IN (SELECT key FROM _covet_doomed ...)`, whose key
// column has no affinity, so '2' never equals 2: PROTECT and RESTRICT are bypassed and SET_NULL
// leaves the row dangling. Comparing through the parent column (as the non-primary-key path of
// Deletion::referencing does) would give the insert check's answer.
TEST_CASE("affinity: a key stored as text in an untyped column is a reference for every action") {
    Db db;
    db.exec(R"(
        CREATE TABLE authors(id INTEGER PRIMARY KEY);
        CREATE TABLE books(id INTEGER PRIMARY KEY, author_id);
        CREATE TABLE notes(id INTEGER PRIMARY KEY, author_id NOT NULL);
        CREATE TABLE songs(id INTEGER PRIMARY KEY, author_id TEXT NOT NULL);
        CREATE TABLE drafts(id INTEGER PRIMARY KEY, author_id);
    )");
    fk(db, "books", "author_id", "authors", "SET_NULL", "books");
    fk(db, "notes", "author_id", "authors", "PROTECT", "notes");
    fk(db, "songs", "author_id", "authors", "RESTRICT", "songs");
    fk(db, "drafts", "author_id", "authors", "CASCADE", "drafts");
    db.exec("INSERT INTO authors VALUES (1), (2), (3)");
    // All accepted by the insert check as references to existing authors.
    db.exec("INSERT INTO books VALUES (1, '1'); INSERT INTO notes VALUES (1, '2'); INSERT INTO songs VALUES (1, '3');"
            " INSERT INTO drafts VALUES (1, '1')");
    REQUIRE(db.value("SELECT typeof(author_id) FROM books") == "text");

    db.exec("DELETE FROM authors WHERE id = 1");
    CHECK(db.integer("SELECT count(*) FROM drafts") == 0);  // CASCADE follows it (passes today)
    CHECK(db.value("SELECT author_id FROM books") == "NULL");
    CHECK(dangling(db, "books", "author_id", "authors", "id") == 0);

    std::string before = db.snapshot();
    std::optional<std::string> error = attempt(db, "DELETE FROM authors WHERE id = 2");
    CHECK(error.has_value());
    if (error) CHECK(starts_with(*error, "covet: PROTECT"));
    error = attempt(db, "DELETE FROM authors WHERE id = 3");
    CHECK(error.has_value());
    if (error) CHECK(starts_with(*error, "covet: RESTRICT"));
    CHECK(db.snapshot() == before);
}
