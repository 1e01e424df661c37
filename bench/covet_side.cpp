// The covet side of every workload (see workloads.hpp), written as a user of covet's C++ API
// would: the library models of examples/library_models.hpp, db.migrate, bulk_create, related
// managers, select_related, prefetch_related, lazy loads, QuerySet filters and remove(). No raw
// SQL: statements are counted with Database::query_count().
//
// Where raw.cpp's SQL has no ORDER BY, the covet query clears Book's default ordering
// (meta<Book>::ordering, "-published_date", "id") with order_by(): every Outcome is a sum, so the
// order does not matter, and both sides then ask SQLite the same question.
#include "../examples/library_models.hpp"
#include "dataset.hpp"
#include "workloads.hpp"

#include <covet/covet.hpp>

#include <fmt/format.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace bench {
namespace {

using library::Author;
using library::Book;
using library::Category;
using library::Profile;

// Every model the benchmark's tables hold (Loan is not in the dataset).
void migrate(covet::Database& db) { db.migrate<Author, Profile, Category, Book>(); }

std::int64_t length(const std::string& text) { return static_cast<std::int64_t>(text.size()); }

// Runs `body` (returning an Outcome) and records the statements covet ran for it.
template <class Body>
Outcome counting_statements(const covet::Database& db, Body body) {
    const std::int64_t before = db.query_count();
    Outcome outcome = body();
    outcome.statements = db.query_count() - before;
    return outcome;
}

// W1 and W6 change their database: each run gets a fresh copy of `base` (in reset(), untimed) and
// a new Database on it.
class FreshCopy {
public:
    FreshCopy(std::filesystem::path base, std::filesystem::path work) : base_(std::move(base)), work_(std::move(work)) {}
    void reset() {
        db_.reset();  // closes the connection, checkpointing its WAL
        copy_database(base_, work_);
        db_ = std::make_unique<covet::Database>(work_.string());
    }
    covet::Database& operator*() { return *db_; }

private:
    std::filesystem::path base_, work_;
    std::unique_ptr<covet::Database> db_;
};

// ---------------------------------------------------------------------------------------------- W1

class CreateBooks final : public Side {
public:
    explicit CreateBooks(const Setup& setup) : copy_(setup.without_books, setup.scratch / "covet-w1.db") {
        for (std::int64_t id = 1; id <= setup.sizes.books; ++id) specs_.push_back(book_spec(id, setup.sizes));
    }
    // The objects to create, built untimed (bulk_create takes them by value: run() moves them in).
    void reset() override {
        copy_.reset();
        books_.clear();
        books_.reserve(specs_.size());
        for (const BookSpec& spec : specs_)
            books_.push_back(Book{.title = spec.title,
                                  .author = spec.author_id,
                                  .published_date = spec.published_date,
                                  .pages = static_cast<int>(spec.pages)});
    }
    Outcome run() override {
        covet::Database& db = *copy_;
        return counting_statements(db, [&] {
            Outcome out;
            db.transaction([&] {
                const std::vector<Book> created = db.bulk_create(std::move(books_));
                std::vector<std::pair<covet::Value, covet::Value>> pairs;
                pairs.reserve(3 * created.size());
                for (std::size_t i = 0; i < created.size(); ++i) {
                    out.checksum += created[i].id;
                    for (std::int64_t category_id : specs_[i].category_ids) {
                        pairs.emplace_back(created[i].id, category_id);
                        out.checksum += category_id;
                    }
                }
                covet::bulk_add<&Book::categories>(db, pairs);
                out.rows = static_cast<std::int64_t>(created.size());
            });
            out.per_table = {{"books", out.rows}, {"books_categories", 3 * out.rows}};
            return out;
        });
    }

private:
    FreshCopy copy_;
    std::vector<BookSpec> specs_;
    std::vector<Book> books_;
};

// ---------------------------------------------------------------------------------------------- W2

class SelectRelated final : public Side {
public:
    explicit SelectRelated(const Setup& setup) : db_(setup.dataset.string()) {}
    Outcome run() override {
        return counting_statements(db_, [&] {
            Outcome out;
            for (const Book& book : db_.objects<Book>().select_related("author__profile").order_by()) {
                const Author& author = *book.author;
                ++out.rows;
                out.checksum += book.id + length(author.name);
                if (author.profile.has_value()) out.checksum += length(author.profile->bio);
            }
            return out;
        });
    }

private:
    covet::Database db_;
};

// ---------------------------------------------------------------------------------------------- W3

class PrefetchCategories final : public Side {
public:
    explicit PrefetchCategories(const Setup& setup) : db_(setup.dataset.string()), last_id_(setup.sizes.w3_books) {}
    Outcome run() override {
        return counting_statements(db_, [&] {
            Outcome out;
            for (const Book& book :
                 db_.objects<Book>().filter("id__lte", last_id_).order_by().prefetch_related("categories")) {
                out.checksum += book.id;
                for (const Category& category : book.categories) {  // the prefetched objects, in place
                    ++out.rows;
                    out.checksum += book.id * category.id + length(category.name) + category.parent.id().value_or(0);
                }
            }
            return out;
        });
    }

private:
    covet::Database db_;
    std::int64_t last_id_;
};

// ---------------------------------------------------------------------------------------------- W4

class PrefetchBooks final : public Side {
public:
    explicit PrefetchBooks(const Setup& setup) : db_(setup.dataset.string()) {}
    Outcome run() override {
        return counting_statements(db_, [&] {
            Outcome out;
            // The books unordered, as raw reads them (Book's default ordering would sort them all).
            const auto books = covet::Prefetch("books", db_.objects<Book>().order_by());
            for (const Author& author : db_.objects<Author>().prefetch_related(books)) {
                out.checksum += author.id;
                for (const Book& book : author.books) {  // the prefetched objects, in place
                    ++out.rows;
                    out.checksum += author.id * book.id + book.pages;
                }
            }
            return out;
        });
    }

private:
    covet::Database db_;
};

// ---------------------------------------------------------------------------------------------- W5

class LazyAuthor final : public Side {
public:
    explicit LazyAuthor(const Setup& setup) : db_(setup.dataset.string()), last_id_(setup.sizes.w5_books) {}
    Outcome run() override {
        return counting_statements(db_, [&] {
            Outcome out;
            for (const Book& book : db_.objects<Book>().filter("id__lte", last_id_).order_by()) {
                const Author& author = *book.author;  // one query each: the N+1 pattern
                ++out.rows;
                out.checksum += book.id * author.id + length(author.name);
            }
            return out;
        });
    }

private:
    covet::Database db_;
    std::int64_t last_id_;
};

// ---------------------------------------------------------------------------------------------- W6

// Django's delete(): the relations registered by migrate cascade to profiles, books and their
// junction rows, and covet_delete() counts every table.
class CascadeDelete final : public Side {
public:
    explicit CascadeDelete(const Setup& setup)
        : copy_(setup.dataset, setup.scratch / "covet-w6.db"), last_id_(setup.sizes.w6_authors) {}
    void reset() override { copy_.reset(); }
    Outcome run() override {
        covet::Database& db = *copy_;
        return counting_statements(db, [&] {
            const covet::DeleteResult deleted = db.objects<Author>().filter("id__lte", last_id_).remove();
            Outcome out;
            out.rows = deleted.total;
            out.per_table = deleted.per_table;
            return out;
        });
    }

private:
    FreshCopy copy_;
    std::int64_t last_id_;
};

// ---------------------------------------------------------------------------------------------- W7

class CrossRelationFilter final : public Side {
public:
    explicit CrossRelationFilter(const Setup& setup) : db_(setup.dataset.string()), sizes_(setup.sizes) {}
    Outcome run() override {
        return counting_statements(db_, [&] {
            Outcome out;
            // A path through the ManyToMany: covet makes the books distinct by itself.
            const auto books = db_.objects<Book>()
                                   .filter("author__email__contains", sizes_.w7_email_part)
                                   .filter("categories__name", sizes_.w7_category)
                                   .order_by();
            for (const Book& book : books) {
                ++out.rows;
                out.checksum += book.id + book.pages;
            }
            return out;
        });
    }

private:
    covet::Database db_;
    Sizes sizes_;
};

}  // namespace

// The plain dataset with covet's schema on it: migrate adds what the models have and the plain
// tables lack (categories.parent_id) and registers the relations in covet_relations, which
// installs the extension's triggers (on_delete, key checks) and the indexes they need; the
// dataset being analyzed, migrate also analyzes the tables of those new indexes.
void covet_build_database(const std::filesystem::path& plain, const std::filesystem::path& covet) {
    copy_database(plain, covet);
    covet::Database db(covet.string());
    migrate(db);
    if (const std::vector<std::string> left = db.check<Author, Profile, Category, Book>(); !left.empty())
        throw std::runtime_error(fmt::format("covet_build_database: migrate left differences: {}", fmt::join(left, "; ")));
}

std::unique_ptr<Side> covet_w1_create_books(const Setup& setup) { return std::make_unique<CreateBooks>(setup); }
std::unique_ptr<Side> covet_w2_select_related(const Setup& setup) { return std::make_unique<SelectRelated>(setup); }
std::unique_ptr<Side> covet_w3_prefetch_categories(const Setup& setup) {
    return std::make_unique<PrefetchCategories>(setup);
}
std::unique_ptr<Side> covet_w4_prefetch_books(const Setup& setup) { return std::make_unique<PrefetchBooks>(setup); }
std::unique_ptr<Side> covet_w5_lazy_author(const Setup& setup) { return std::make_unique<LazyAuthor>(setup); }
std::unique_ptr<Side> covet_w6_cascade_delete(const Setup& setup) { return std::make_unique<CascadeDelete>(setup); }
std::unique_ptr<Side> covet_w7_cross_relation_filter(const Setup& setup) {
    return std::make_unique<CrossRelationFilter>(setup);
}

}  // namespace bench
