#include "dataset.hpp"

#include "sqlite.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace bench {

Sizes full_sizes() {
    return {.authors = 1000,
            .categories = 50,
            .books = 100000,
            .w3_books = 10000,
            .w5_books = 2000,
            .w6_authors = 100,
            .w7_email_part = "@example.org",
            .w7_category = "Category 7"};
}

Sizes quick_sizes() {
    return {.authors = 50,
            .categories = 10,
            .books = 2000,
            .w3_books = 500,
            .w5_books = 200,
            .w6_authors = 5,
            .w7_email_part = "@example.org",
            .w7_category = "Category 7"};
}

BookSpec book_spec(std::int64_t id, const Sizes& sizes) {
    BookSpec book{.id = id,
                  .title = fmt::format("Title of book {}", id),
                  // 7919 is prime: every block of `authors` consecutive books has each author once.
                  .author_id = 1 + id * 7919 % sizes.authors,
                  .published_date = fmt::format("{:04}-{:02}-{:02}", 1950 + id % 70, 1 + id % 12, 1 + id % 28),
                  .pages = 50 + id * 37 % 900,
                  .category_ids = {}};
    // Three categories a third of the range apart: distinct whenever there are at least 3.
    std::int64_t first = id * 31 % sizes.categories, step = sizes.categories / 3;
    for (std::int64_t k = 0; k < 3; ++k)
        book.category_ids[static_cast<std::size_t>(k)] = 1 + (first + k * step) % sizes.categories;
    return book;
}

namespace {

// The parent of category `id` (dataset.hpp): none for the first fifth.
std::optional<std::int64_t> category_parent(std::int64_t id, const Sizes& sizes) {
    const std::int64_t top_level = std::max<std::int64_t>(1, sizes.categories / 5);
    if (id <= top_level) return std::nullopt;
    return 1 + (id - 1) % top_level;
}

std::string schema_sql(Schema schema) {
    auto references = [schema](const char* table, const char* on_delete = "CASCADE") {
        return schema == Schema::native_cascade
                   ? fmt::format(R"( REFERENCES "{}"("id") ON DELETE {})", table, on_delete)
                   : std::string{};
    };
    return fmt::format(R"(
        CREATE TABLE "authors" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL CHECK (length("name") <= 100),
                                "email" TEXT NOT NULL UNIQUE);
        CREATE TABLE "profiles" ("id" INTEGER PRIMARY KEY, "author_id" INTEGER NOT NULL UNIQUE{0},
                                 "bio" TEXT NOT NULL, "website" TEXT NOT NULL);
        CREATE TABLE "categories" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL CHECK (length("name") <= 50),
                                   "parent_id" INTEGER{3});
        CREATE INDEX "categories_parent_id" ON "categories"("parent_id");
        CREATE TABLE "books" ("id" INTEGER PRIMARY KEY, "title" TEXT NOT NULL CHECK (length("title") <= 200),
                              "author_id" INTEGER NOT NULL{0}, "published_date" TEXT NOT NULL,
                              "pages" INTEGER NOT NULL);
        CREATE INDEX "books_author_id" ON "books"("author_id");
        CREATE TABLE "books_categories" ("id" INTEGER PRIMARY KEY, "book_id" INTEGER NOT NULL{1},
                                         "category_id" INTEGER NOT NULL{2}, UNIQUE("book_id", "category_id"));
        CREATE INDEX "books_categories_category_id" ON "books_categories"("category_id");
    )",
                       references("authors"), references("books"), references("categories"),
                       references("categories", "SET NULL"));
}

void insert_authors_and_categories(Connection& db, const Sizes& sizes) {
    static constexpr const char* domains[] = {"example.com", "example.org", "mail.test"};
    Statement author = db.prepare(R"(INSERT INTO "authors"("id", "name", "email") VALUES (?, ?, ?))");
    Statement profile =
        db.prepare(R"(INSERT INTO "profiles"("id", "author_id", "bio", "website") VALUES (?, ?, ?, ?))");
    for (std::int64_t id = 1; id <= sizes.authors; ++id) {
        std::string name = fmt::format("Author {}", id);
        std::string email = fmt::format("author{}@{}", id, domains[id % 3]);
        author.bind(1, id).bind(2, name).bind(3, email).run();
        // Biographies of varied lengths, so that W2's checksum depends on reading them.
        std::string bio = fmt::format("Biography of author {}.", id);
        for (std::int64_t i = 0; i < id % 8; ++i) bio += " Wrote more books than anyone expected.";
        std::string website = fmt::format("https://author{}.example.com", id);
        profile.bind(1, id).bind(2, id).bind(3, bio).bind(4, website).run();
    }
    Statement category = db.prepare(R"(INSERT INTO "categories"("id", "name", "parent_id") VALUES (?, ?, ?))");
    for (std::int64_t id = 1; id <= sizes.categories; ++id) {
        std::string name = fmt::format("Category {}", id);
        category.bind(1, id).bind(2, name).bind(3, category_parent(id, sizes)).run();
    }
}

void insert_books(Connection& db, const Sizes& sizes) {
    Statement book = db.prepare(
        R"(INSERT INTO "books"("id", "title", "author_id", "published_date", "pages") VALUES (?, ?, ?, ?, ?))");
    Statement link = db.prepare(R"(INSERT INTO "books_categories"("book_id", "category_id") VALUES (?, ?))");
    for (std::int64_t id = 1; id <= sizes.books; ++id) {
        BookSpec spec = book_spec(id, sizes);
        book.bind(1, id)
            .bind(2, spec.title)
            .bind(3, spec.author_id)
            .bind(4, spec.published_date)
            .bind(5, spec.pages)
            .run();
        for (std::int64_t category_id : spec.category_ids) link.bind(1, id).bind(2, category_id).run();
    }
}

}  // namespace

void write_dataset(const std::filesystem::path& path, const Sizes& sizes, Schema schema, Books books) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
    Connection db(path);
    db.execute(schema_sql(schema));
    db.execute("BEGIN");
    insert_authors_and_categories(db, sizes);
    if (books == Books::included) insert_books(db, sizes);
    db.execute("COMMIT; ANALYZE");
}

void copy_database(const std::filesystem::path& from, const std::filesystem::path& to) {
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(to.string() + suffix);
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
}

}  // namespace bench
