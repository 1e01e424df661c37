-- covet demo: the library example, in the sqlite3 shell.
--
--   ninja -C build demo_sql          (or demo: this script, then examples/library.cpp)
--   sqlite3 :memory: -cmd '.load build/ext/covet' < sql/demo.sql
--
-- The caller loads covet first; this script never names the module's path. Two statements are
-- refused on purpose: the shell prints their errors (to stderr) and carries on (.bail off).
.bail off
.headers on
.mode box

.print "covet demo: Django-style relations, enforced by plain SQL triggers"
.print "================================================================="

-- The schema: ordinary tables. Nothing here knows about covet.
CREATE TABLE authors(id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE);
CREATE TABLE profiles(id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, bio TEXT);
CREATE TABLE categories(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE books(id INTEGER PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER NOT NULL, pages INTEGER);
CREATE TABLE loans(id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL, borrower TEXT NOT NULL, due TEXT NOT NULL);

-- The relations, as Django would declare them on the models:
--   Profile.author     = OneToOneField(Author, on_delete=CASCADE, related_name='profile')
--   Book.author        = ForeignKey(Author, on_delete=CASCADE, related_name='books')
--   Book.categories    = ManyToManyField(Category, related_name='books')
-- Names default to <from_table>.<field>; the many_to_many junction table books_categories
-- (books_id, categories_id) is created by covet.
INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
    VALUES ('one_to_one', 'profiles', 'author_id', 'authors', 'CASCADE', 'profile');
INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
    VALUES ('foreign_key', 'books', 'author_id', 'authors', 'CASCADE', 'books');
INSERT INTO covet_relations(name, kind, from_table, to_table, related_name)
    VALUES ('books.categories', 'many_to_many', 'books', 'categories', 'books');

INSERT INTO authors VALUES
    (1, 'Ann Archer', 'ann@example.com'),
    (2, 'Bob Brown', 'bob@example.com'),
    (3, 'Cleo Cruz', 'cleo@example.com');
INSERT INTO profiles VALUES (1, 1, 'Award-winning novelist'), (2, 3, 'Poet of the sea');
INSERT INTO categories VALUES (1, 'Fiction'), (2, 'Science Fiction'), (3, 'Poetry');
INSERT INTO books VALUES
    (1, 'Future Worlds', 1, 350),
    (2, 'Old Worlds', 1, 120),
    (3, 'Bob''s Book', 2, 200),
    (4, 'Tide Songs', 3, 64),
    (5, 'Night Verses', 3, 80);
INSERT INTO books_categories(books_id, categories_id) VALUES (1, 1), (1, 2), (2, 1), (3, 2), (4, 3), (5, 3);
INSERT INTO loans VALUES (1, 4, 'Dana', '2025-07-01');

CREATE TEMP VIEW library_counts AS SELECT
    (SELECT count(*) FROM authors) AS authors,
    (SELECT count(*) FROM profiles) AS profiles,
    (SELECT count(*) FROM books) AS books,
    (SELECT count(*) FROM books_categories) AS books_categories,
    (SELECT count(*) FROM categories) AS categories,
    (SELECT count(*) FROM loans) AS loans;

.print
.print "1. The relations (SELECT ... FROM covet_relations)"
SELECT name, kind, from_table, from_column, to_table, to_column, on_delete, related_name, through_table
FROM covet_relations;

.print
.print "   What covet generated for them: ordinary triggers and indexes, stored in the database,"
.print "   so every client of this file gets the same rules, with or without covet loaded."
SELECT type, name, tbl_name AS "table" FROM sqlite_schema
WHERE name LIKE 'covet%' ORDER BY type DESC, tbl_name, name;

.print
.print "2. The data"
SELECT b.id, b.title, a.name AS author, group_concat(c.name, ', ') AS categories
FROM books b JOIN authors a ON a.id = b.author_id
LEFT JOIN books_categories bc ON bc.books_id = b.id LEFT JOIN categories c ON c.id = bc.categories_id
GROUP BY b.id ORDER BY b.id;
SELECT * FROM library_counts;

.print
.print "3. Prefetch, like Author.objects.filter(id__in=[1, 2]).prefetch_related('books'):"
.print "   related('authors.books', '[1,2]') gives (source, target) pairs, joined with books"
SELECT r.source AS author_id, b.id AS book_id, b.title
FROM related('authors.books', '[1,2]') r JOIN books b ON b.id = r.target
ORDER BY r.source, b.id;

.print
.print "   ... and across the many_to_many: the categories of books 1 and 4 (books.categories)"
SELECT r.source AS book_id, c.id AS category_id, c.name
FROM related('books.categories', '[1,4]') r JOIN categories c ON c.id = r.target
ORDER BY r.source, c.id;

.print
.print "4. What deleting author 1 (Ann Archer) would do: covet_delete_plan('authors', 1)"
.print "   One row per row it touches, and the relation that reaches it; nothing changes yet."
SELECT * FROM covet_delete_plan('authors', 1);

.print
.print "5. Delete it: covet_delete('authors', 1), like Author.objects.filter(id=1).delete()"
.print "   It returns the rows it deleted, in total and per table (one JSON value):"
.mode line
SELECT covet_delete('authors', 1) AS result;
.mode box
SELECT * FROM library_counts;

.print
.print "6. PROTECT: a book that is on loan may not be deleted"
.print "   Loan.book = ForeignKey(Book, on_delete=PROTECT)"
INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete)
    VALUES ('foreign_key', 'loans', 'book_id', 'books', 'PROTECT');
SELECT name, kind, from_table, to_table, on_delete FROM covet_relations WHERE name = 'loans.book';
.print
.print "   Deleting author 3 (Cleo Cruz) would cascade to her books, and 'Tide Songs' is on loan."
.print "   The plan says so: the rows that block the delete"
SELECT * FROM covet_delete_plan('authors', 3) WHERE blocking;
.print "   Plain SQL, the way any client would do it (expect an error):"
DELETE FROM authors WHERE id = 3;
.print "   covet_delete() refuses too, and lists the blocking rows (expect an error):"
SELECT covet_delete('authors', 3);
.print "   Nothing changed:"
SELECT * FROM library_counts;

.print
.print "7. A book must have an existing author (expect an error):"
INSERT INTO books(title, author_id) VALUES ('Ghost Writer', 99);

.print
.print "8. Plain SQL cascades too: DELETE FROM authors WHERE id = 2 (Bob Brown)"
DELETE FROM authors WHERE id = 2;
SELECT * FROM library_counts;
SELECT b.id, b.title, a.name AS author FROM books b JOIN authors a ON a.id = b.author_id ORDER BY b.id;

.print
.print "9. covet_check(): what is wrong with covet's state, like PRAGMA foreign_key_check"
SELECT count(*) AS problems FROM covet_check();
SELECT * FROM covet_check();

.print
.print "10. The relations as a Graphviz graph: covet_graph()"
.mode list
.headers off
SELECT covet_graph();
