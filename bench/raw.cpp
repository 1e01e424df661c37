// The raw side of every workload: hand-written SQL on the sqlite3 C API, the best a careful
// programmer would write. Statements are prepared once per side and reused run after run; rows
// become plain structs, as covet's models are objects (see workloads.hpp for each Outcome).
#include "dataset.hpp"
#include "sqlite.hpp"
#include "workloads.hpp"

#include <fmt/format.h>

#include <array>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bench {
namespace {

struct Author {
    std::int64_t id = 0;
    std::string name, email;
};
struct Profile {
    std::int64_t id = 0, author_id = 0;
    std::string bio, website;
};
struct Category {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::int64_t> parent_id;
};
struct Book {
    std::int64_t id = 0;
    std::string title;
    std::int64_t author_id = 0;
    std::string published_date;
    std::int64_t pages = 0;
};

// Each table's columns in one place, in the order its reader below expects them.
constexpr std::array<std::string_view, 5> book_columns{"id", "title", "author_id", "published_date", "pages"};
constexpr std::array<std::string_view, 3> author_columns{"id", "name", "email"};
constexpr std::array<std::string_view, 4> profile_columns{"id", "author_id", "bio", "website"};

// "b.id, b.title, ..." for alias "b".
std::string columns(std::string_view alias, std::span<const std::string_view> names) {
    std::string list;
    for (std::string_view name : names)
        fmt::format_to(std::back_inserter(list), "{}{}.{}", list.empty() ? "" : ", ", alias, name);
    return list;
}

Book read_book(const Statement& s, int first) {
    return {s.int64(first), s.string(first + 1), s.int64(first + 2), s.string(first + 3), s.int64(first + 4)};
}
Author read_author(const Statement& s, int first) { return {s.int64(first), s.string(first + 1), s.string(first + 2)}; }
Profile read_profile(const Statement& s, int first) {
    return {s.int64(first), s.int64(first + 1), s.string(first + 2), s.string(first + 3)};
}
Category read_category(const Statement& s, int first) {
    return {s.int64(first), s.string(first + 1), s.optional_int64(first + 2)};
}

// Runs `body` (returning an Outcome) and records the statements it executed on `db`.
template <class Body>
Outcome counting_statements(const Connection& db, Body body) {
    std::int64_t before = db.executed();
    Outcome outcome = body();
    outcome.statements = db.executed() - before;
    return outcome;
}

// The keys of a prefetch, bound as one JSON array read by json_each: one statement for any
// number of keys (SQLite has no array binding without the carray extension).
template <class Objects, class Key>
std::string json_keys(const Objects& objects, Key key) {
    std::string json;
    for (const auto& object : objects)
        fmt::format_to(std::back_inserter(json), "{}{}", json.empty() ? "[" : ",", key(object));
    return json.empty() ? "[]" : json + "]";
}

// W1 and W6 change their database: each run gets a fresh copy of `base` (in reset(), untimed) and
// a new connection with its statements, a Session.
template <class Session>
class FreshCopy {
public:
    FreshCopy(std::filesystem::path base, std::filesystem::path work)
        : base_(std::move(base)), work_(std::move(work)) {}
    void reset() {
        session_.reset();  // closes the connection, checkpointing its WAL
        copy_database(base_, work_);
        session_.emplace(work_);
    }
    Session& operator*() { return *session_; }

private:
    std::filesystem::path base_, work_;
    std::optional<Session> session_;
};

// ---------------------------------------------------------------------------------------------- W1

class CreateBooks final : public Side {
public:
    explicit CreateBooks(const Setup& setup) : copy_(setup.without_books, setup.scratch / "w1.db") {
        for (std::int64_t id = 1; id <= setup.sizes.books; ++id) books_.push_back(book_spec(id, setup.sizes));
    }
    void reset() override { copy_.reset(); }
    Outcome run() override {
        Session& s = *copy_;
        return counting_statements(s.db, [&] {
            Outcome out;
            s.begin.run();
            for (const BookSpec& book : books_) {
                s.insert_book.bind(1, book.title).bind(2, book.author_id).bind(3, book.published_date);
                s.insert_book.bind(4, book.pages).run();
                std::int64_t id = sqlite3_last_insert_rowid(s.db.handle());
                out.checksum += id;
                for (std::int64_t category_id : book.category_ids) {
                    s.insert_link.bind(1, id).bind(2, category_id).run();
                    out.checksum += category_id;
                }
            }
            s.commit.run();
            out.rows = static_cast<std::int64_t>(books_.size());
            out.per_table = {{"books", out.rows}, {"books_categories", 3 * out.rows}};
            return out;
        });
    }

private:
    struct Session {
        explicit Session(const std::filesystem::path& path) : db(path) {}
        Connection db;
        Statement begin = db.prepare("BEGIN");
        Statement insert_book =
            db.prepare("INSERT INTO books(title, author_id, published_date, pages) VALUES (?1, ?2, ?3, ?4)");
        Statement insert_link = db.prepare("INSERT INTO books_categories(book_id, category_id) VALUES (?1, ?2)");
        Statement commit = db.prepare("COMMIT");
    };
    FreshCopy<Session> copy_;
    std::vector<BookSpec> books_;
};

// ---------------------------------------------------------------------------------------------- W2

class SelectRelated final : public Side {
public:
    explicit SelectRelated(const Setup& setup) : db_(setup.dataset) {}
    Outcome run() override {
        return counting_statements(db_, [&] {
            Outcome out;
            while (books_.step()) {
                Book book = read_book(books_, 0);
                Author author = read_author(books_, 5);
                std::optional<Profile> profile;
                if (!books_.is_null(8)) profile = read_profile(books_, 8);
                ++out.rows;
                out.checksum += book.id + static_cast<std::int64_t>(author.name.size()) +
                                (profile ? static_cast<std::int64_t>(profile->bio.size()) : 0);
            }
            return out;
        });
    }

private:
    Connection db_;
    // The author is required (inner join), the profile may be missing (a reverse one-to-one).
    Statement books_ = db_.prepare(
        fmt::format("SELECT {}, {}, {} FROM books b JOIN authors a ON a.id = b.author_id"
                    " LEFT JOIN profiles p ON p.author_id = a.id",
                    columns("b", book_columns), columns("a", author_columns), columns("p", profile_columns)));
};

// ---------------------------------------------------------------------------------------------- W3

class PrefetchCategories final : public Side {
public:
    explicit PrefetchCategories(const Setup& setup) : db_(setup.dataset), last_id_(setup.sizes.w3_books) {}
    Outcome run() override {
        return counting_statements(db_, [&] {
            struct BookWithCategories {
                Book book;
                std::vector<Category> categories;
            };
            std::vector<BookWithCategories> books;
            std::unordered_map<std::int64_t, std::size_t> index;
            books_.bind(1, last_id_);
            while (books_.step()) {
                index.emplace(books_.int64(0), books.size());
                books.push_back({read_book(books_, 0), {}});
            }
            std::string keys = json_keys(books, [](const BookWithCategories& b) { return b.book.id; });
            categories_.bind(1, keys);
            while (categories_.step())
                books[index.at(categories_.int64(0))].categories.push_back(read_category(categories_, 1));

            Outcome out;
            for (const BookWithCategories& b : books) {
                out.checksum += b.book.id;
                for (const Category& category : b.categories) {
                    ++out.rows;
                    out.checksum += b.book.id * category.id + static_cast<std::int64_t>(category.name.size()) +
                                    category.parent_id.value_or(0);
                }
            }
            return out;
        });
    }

private:
    Connection db_;
    std::int64_t last_id_;
    Statement books_ = db_.prepare(fmt::format("SELECT {} FROM books b WHERE b.id <= ?1", columns("b", book_columns)));
    Statement categories_ = db_.prepare(
        "SELECT bc.book_id, c.id, c.name, c.parent_id FROM books_categories bc"
        " JOIN categories c ON c.id = bc.category_id"
        " WHERE bc.book_id IN (SELECT value FROM json_each(?1))");
};

// ---------------------------------------------------------------------------------------------- W4

class PrefetchBooks final : public Side {
public:
    explicit PrefetchBooks(const Setup& setup) : db_(setup.dataset) {}
    Outcome run() override {
        return counting_statements(db_, [&] {
            struct AuthorWithBooks {
                Author author;
                std::vector<Book> books;
            };
            std::vector<AuthorWithBooks> authors;
            std::unordered_map<std::int64_t, std::size_t> index;
            while (authors_.step()) {
                index.emplace(authors_.int64(0), authors.size());
                authors.push_back({read_author(authors_, 0), {}});
            }
            std::string keys = json_keys(authors, [](const AuthorWithBooks& a) { return a.author.id; });
            books_.bind(1, keys);
            while (books_.step()) authors[index.at(books_.int64(2))].books.push_back(read_book(books_, 0));

            Outcome out;
            for (const AuthorWithBooks& a : authors) {
                out.checksum += a.author.id;
                for (const Book& book : a.books) {
                    ++out.rows;
                    out.checksum += a.author.id * book.id + book.pages;
                }
            }
            return out;
        });
    }

private:
    Connection db_;
    Statement authors_ = db_.prepare(fmt::format("SELECT {} FROM authors a", columns("a", author_columns)));
    Statement books_ = db_.prepare(fmt::format(
        "SELECT {} FROM books b WHERE b.author_id IN (SELECT value FROM json_each(?1))", columns("b", book_columns)));
};

// ---------------------------------------------------------------------------------------------- W5

class LazyAuthor final : public Side {
public:
    explicit LazyAuthor(const Setup& setup) : db_(setup.dataset), last_id_(setup.sizes.w5_books) {}
    Outcome run() override {
        return counting_statements(db_, [&] {
            std::vector<Book> books;
            books_.bind(1, last_id_);
            while (books_.step()) books.push_back(read_book(books_, 0));
            Outcome out;
            for (const Book& book : books) {
                author_.bind(1, book.author_id);
                if (!author_.step()) throw SqliteError(fmt::format("book {}: no author {}", book.id, book.author_id));
                Author author = read_author(author_, 0);
                author_.reset();
                ++out.rows;
                out.checksum += book.id * author.id + static_cast<std::int64_t>(author.name.size());
            }
            return out;
        });
    }

private:
    Connection db_;
    std::int64_t last_id_;
    Statement books_ = db_.prepare(fmt::format("SELECT {} FROM books b WHERE b.id <= ?1", columns("b", book_columns)));
    Statement author_ =
        db_.prepare(fmt::format("SELECT {} FROM authors a WHERE a.id = ?1", columns("a", author_columns)));
};

// ---------------------------------------------------------------------------------------------- W6

// SQLite's own ON DELETE CASCADE does the deleting. It reports no per-table counts, so they are
// counted first, in the same transaction, through the indexes the cascade itself uses.
class CascadeDelete final : public Side {
public:
    explicit CascadeDelete(const Setup& setup)
        : base_(setup.scratch / "w6-base.db"), copy_(base_, setup.scratch / "w6.db"), last_id_(setup.sizes.w6_authors) {
        write_dataset(base_, setup.sizes, Schema::native_cascade, Books::included);
    }
    void reset() override { copy_.reset(); }
    Outcome run() override {
        Session& s = *copy_;
        return counting_statements(s.db, [&] {
            Outcome out;
            s.begin.run();
            s.count.bind(1, last_id_);
            if (!s.count.step()) throw SqliteError("W6: the count returned no row");
            out.per_table = {
                {"profiles", s.count.int64(0)}, {"books", s.count.int64(1)}, {"books_categories", s.count.int64(2)}};
            s.count.reset();
            s.delete_authors.bind(1, last_id_).run();
            out.per_table["authors"] = sqlite3_changes64(s.db.handle());
            s.commit.run();
            for (const auto& [table, count] : out.per_table) out.rows += count;
            return out;
        });
    }

private:
    struct Session {
        explicit Session(const std::filesystem::path& path) : db(path) { db.execute("PRAGMA foreign_keys=ON"); }
        Connection db;
        Statement begin = db.prepare("BEGIN");
        Statement count = db.prepare(
            "SELECT (SELECT count(*) FROM profiles WHERE author_id <= ?1),"
            " (SELECT count(*) FROM books WHERE author_id <= ?1),"
            " (SELECT count(*) FROM books_categories WHERE book_id IN (SELECT id FROM books WHERE author_id <= ?1))");
        Statement delete_authors = db.prepare("DELETE FROM authors WHERE id <= ?1");
        Statement commit = db.prepare("COMMIT");
    };
    std::filesystem::path base_;
    FreshCopy<Session> copy_;
    std::int64_t last_id_;
};

// ---------------------------------------------------------------------------------------------- W7

class CrossRelationFilter final : public Side {
public:
    explicit CrossRelationFilter(const Setup& setup) : db_(setup.dataset), sizes_(setup.sizes) {}
    Outcome run() override {
        return counting_statements(db_, [&] {
            std::vector<Book> books;
            books_.bind(1, sizes_.w7_email_part).bind(2, sizes_.w7_category);
            while (books_.step()) books.push_back(read_book(books_, 0));
            Outcome out;
            for (const Book& book : books) {
                ++out.rows;
                out.checksum += book.id + book.pages;
            }
            return out;
        });
    }

private:
    Connection db_;
    Sizes sizes_;
    // The category as an IN subquery rather than a join + DISTINCT: the same distinct books, but
    // SQLite plans the join by scanning every book (it cannot tell how selective either filter
    // is), 5x slower here. instr() is a case-sensitive "contains" with no LIKE wildcards.
    Statement books_ =
        db_.prepare(fmt::format("SELECT {} FROM books b JOIN authors a ON a.id = b.author_id"
                                " WHERE instr(a.email, ?1) > 0 AND b.id IN (SELECT bc.book_id"
                                " FROM books_categories bc JOIN categories c ON c.id = bc.category_id"
                                " WHERE c.name = ?2)",
                                columns("b", book_columns)));
};

}  // namespace

std::unique_ptr<Side> raw_w1_create_books(const Setup& setup) { return std::make_unique<CreateBooks>(setup); }
std::unique_ptr<Side> raw_w2_select_related(const Setup& setup) { return std::make_unique<SelectRelated>(setup); }
std::unique_ptr<Side> raw_w3_prefetch_categories(const Setup& setup) {
    return std::make_unique<PrefetchCategories>(setup);
}
std::unique_ptr<Side> raw_w4_prefetch_books(const Setup& setup) { return std::make_unique<PrefetchBooks>(setup); }
std::unique_ptr<Side> raw_w5_lazy_author(const Setup& setup) { return std::make_unique<LazyAuthor>(setup); }
std::unique_ptr<Side> raw_w6_cascade_delete(const Setup& setup) { return std::make_unique<CascadeDelete>(setup); }
std::unique_ptr<Side> raw_w7_cross_relation_filter(const Setup& setup) {
    return std::make_unique<CrossRelationFilter>(setup);
}

}  // namespace bench
