// The seed's library example and its test list (test_foreignkey, test_onetoone,
// test_manytomany, test_select_related, test_prefetch_related), at the SQL level.
#include "support.hpp"

using namespace covet::test;

TEST_CASE("test_foreignkey: forward and reverse") {
    Db db;
    library_schema(db);
    db.exec("INSERT INTO authors VALUES (1, 'Test Author', 'test@example.com')");
    db.exec("INSERT INTO books(id, title, author_id, pages) VALUES (10, 'Test Book', 1, 100)");
    // Forward: the book's author.
    CHECK(db.value("SELECT a.name FROM books b JOIN related('books.author', b.id) r JOIN authors a ON a.id = r.target "
                   "WHERE b.id = 10") == "Test Author");
    // Reverse: the author's books.
    CHECK(db.rows("SELECT target FROM related('authors.books', 1)") == std::vector<Row>{{"10"}});
    // The reference is enforced.
    CHECK(db.error("INSERT INTO books(title, author_id) VALUES ('Orphan', 2)").rfind("covet:", 0) == 0);
}

TEST_CASE("test_onetoone: forward, reverse single row, unique") {
    Db db;
    library_schema(db);
    db.exec("INSERT INTO authors VALUES (1, 'testuser', 'u@example.com'), (2, 'other', 'o@example.com')");
    db.exec("INSERT INTO profiles(id, author_id, bio) VALUES (5, 1, 'Test bio')");
    CHECK(db.rows("SELECT target FROM related('profiles.author', 5)") == std::vector<Row>{{"1"}});
    CHECK(db.rows("SELECT target FROM related('authors.profile', 1)") == std::vector<Row>{{"5"}});
    CHECK(db.rows("SELECT target FROM related('authors.profile', 2)").empty());
    CHECK(db.error("INSERT INTO profiles(author_id, bio) VALUES (1, 'second')").find("UNIQUE") != std::string::npos);
}

TEST_CASE("test_manytomany: add, remove, clear, count, reverse") {
    Db db;
    library_schema(db);
    db.exec("INSERT INTO authors VALUES (1, 'A', 'a@example.com')");
    db.exec("INSERT INTO books(id, title, author_id) VALUES (1, 'Test Post', 1)");
    db.exec("INSERT INTO categories VALUES (1, 'Tag1'), (2, 'Tag2')");
    db.exec("INSERT INTO books_categories(books_id, categories_id) VALUES (1, 1), (1, 2)");
    // add() ignores pairs that already exist.
    db.exec("INSERT OR IGNORE INTO books_categories(books_id, categories_id) VALUES (1, 1)");
    CHECK(db.integer("SELECT count(*) FROM related('books.categories', 1)") == 2);
    CHECK(db.rows("SELECT target FROM related('categories.books', 2)") == std::vector<Row>{{"1"}});
    db.exec("DELETE FROM books_categories WHERE books_id = 1 AND categories_id = 1");
    CHECK(db.integer("SELECT count(*) FROM related('books.categories', 1)") == 1);
    db.exec("DELETE FROM books_categories WHERE books_id = 1");
    CHECK(db.integer("SELECT count(*) FROM related('books.categories', 1)") == 0);
    CHECK(db.error("INSERT INTO books_categories(books_id, categories_id) VALUES (1, 3)").rfind("covet:", 0) == 0);
}

TEST_CASE("test_select_related: one JOIN query gives books with their authors") {
    Db db;
    library_schema(db);
    library_rows(db);
    CHECK(db.rows("SELECT b.title, a.name FROM books b JOIN authors a ON a.id = b.author_id ORDER BY b.id") ==
          std::vector<Row>{{"Future Worlds", "Ann"}, {"Old Worlds", "Ann"}, {"Bob's Book", "Bob"}});
}

TEST_CASE("test_prefetch_related: one query per relation for any number of parents") {
    Db db;
    library_schema(db);
    library_rows(db);
    CHECK(db.rows("SELECT r.source, b.title FROM related('authors.books', '[1, 2]') r JOIN books b ON b.id = r.target "
                  "ORDER BY r.source, b.id") ==
          std::vector<Row>{{"1", "Future Worlds"}, {"1", "Old Worlds"}, {"2", "Bob's Book"}});
    CHECK(db.rows("SELECT r.source, c.name FROM related('books.categories', '[1, 2, 3]') r "
                  "JOIN categories c ON c.id = r.target ORDER BY r.source, c.id") ==
          std::vector<Row>{{"1", "Fiction"}, {"1", "Science Fiction"}, {"3", "Science Fiction"}});
}

TEST_CASE("the complete example's cascade: deleting an author removes profile, books and their category links") {
    Db db;
    library_schema(db);
    library_rows(db);
    db.exec("DELETE FROM authors WHERE id = 1");
    CHECK(db.integer("SELECT count(*) FROM profiles") == 0);
    CHECK(db.rows("SELECT id FROM books") == std::vector<Row>{{"3"}});
    CHECK(db.rows("SELECT books_id, categories_id FROM books_categories") == std::vector<Row>{{"3", "2"}});
    CHECK(db.integer("SELECT count(*) FROM categories") == 2);
}
