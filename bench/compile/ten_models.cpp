// Compile-time probe: ten reflected models in one translation unit, each used by migrate and
// one query of each kind. The target: under 5 s at -O0 (see bench/meson.build for how
// it is measured; it is built with the project so that it keeps compiling).
#include <covet/covet.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

struct Author {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> note;
    int rank = 0;
    double score = 0;
    bool active = true;
    std::chrono::sys_seconds created{};
};
BOOST_HANA_ADAPT_STRUCT(Author, id, name, note, rank, score, active, created);

struct Publisher {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> note;
    int rank = 0;
    double score = 0;
    bool active = true;
    std::chrono::sys_seconds created{};
};
BOOST_HANA_ADAPT_STRUCT(Publisher, id, name, note, rank, score, active, created);

struct Category {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> note;
    int rank = 0;
    double score = 0;
    bool active = true;
    std::chrono::sys_seconds created{};
};
BOOST_HANA_ADAPT_STRUCT(Category, id, name, note, rank, score, active, created);

struct Book {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> note;
    int rank = 0;
    double score = 0;
    bool active = true;
    std::chrono::sys_seconds created{};
};
BOOST_HANA_ADAPT_STRUCT(Book, id, name, note, rank, score, active, created);

struct Review {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> note;
    int rank = 0;
    double score = 0;
    bool active = true;
    std::chrono::sys_seconds created{};
};
BOOST_HANA_ADAPT_STRUCT(Review, id, name, note, rank, score, active, created);

struct Shelf {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> note;
    int rank = 0;
    double score = 0;
    bool active = true;
    std::chrono::sys_seconds created{};
};
BOOST_HANA_ADAPT_STRUCT(Shelf, id, name, note, rank, score, active, created);

struct Member {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> note;
    int rank = 0;
    double score = 0;
    bool active = true;
    std::chrono::sys_seconds created{};
};
BOOST_HANA_ADAPT_STRUCT(Member, id, name, note, rank, score, active, created);

struct Loan {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> note;
    int rank = 0;
    double score = 0;
    bool active = true;
    std::chrono::sys_seconds created{};
};
BOOST_HANA_ADAPT_STRUCT(Loan, id, name, note, rank, score, active, created);

struct Event {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> note;
    int rank = 0;
    double score = 0;
    bool active = true;
    std::chrono::sys_seconds created{};
};
BOOST_HANA_ADAPT_STRUCT(Event, id, name, note, rank, score, active, created);

struct Tag {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> note;
    int rank = 0;
    double score = 0;
    bool active = true;
    std::chrono::sys_seconds created{};
};
BOOST_HANA_ADAPT_STRUCT(Tag, id, name, note, rank, score, active, created);

template <class T>
std::int64_t exercise(covet::Database& db) {
    T row = db.create(T{.id = 0, .name = "x", .note = std::nullopt, .rank = 1, .score = 2.5, .active = true,
                        .created = {}});
    std::int64_t n = db.objects<T>()
                         .filter(covet::f<&T::rank> >= 1 && covet::f<&T::name>.startswith("x"))
                         .exclude("note__isnull", false)
                         .order_by("-score")
                         .count();
    for (const auto& [name, rank] : db.objects<T>().template values<&T::name, &T::rank>()) n += rank + static_cast<std::int64_t>(name.size());
    n += db.objects<T>().template count<&T::id>();
    n += db.objects<T>().filter(covet::f<&T::id> == row.id).update(covet::f<&T::rank> = 3);
    n += db.objects<T>().filter(covet::f<&T::id> == row.id).remove().total;
    return n;
}

int main() {
    covet::Database db{":memory:"};
    db.migrate<Author, Publisher, Category, Book, Review, Shelf, Member, Loan, Event, Tag>();
    std::int64_t n = 0;
    n += exercise<Author>(db);
    n += exercise<Publisher>(db);
    n += exercise<Category>(db);
    n += exercise<Book>(db);
    n += exercise<Review>(db);
    n += exercise<Shelf>(db);
    n += exercise<Member>(db);
    n += exercise<Loan>(db);
    n += exercise<Event>(db);
    n += exercise<Tag>(db);
    return n == 0;
}
