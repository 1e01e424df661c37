// Compile-time probe: ten reflected models in one translation unit, each used by migrate and
// one query of each kind. The target: under 5 s at -O0 (see bench/meson.build for how
// it is measured; it is built with the project so that it keeps compiling).
#include <covet/covet.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

// Ten distinct models of the same shape: each is its own struct, reflected on its own.
#define PROBE_MODEL(Name)                                                        \
    struct Name {                                                                \
        std::int64_t id = 0;                                                     \
        std::string name{};                                                      \
        std::optional<std::string> note{};                                       \
        int rank = 0;                                                            \
        double score = 0;                                                        \
        bool active = true;                                                      \
        std::chrono::sys_seconds created{};                                      \
    };                                                                           \
    BOOST_HANA_ADAPT_STRUCT(Name, id, name, note, rank, score, active, created);

PROBE_MODEL(Author)
PROBE_MODEL(Publisher)
PROBE_MODEL(Category)
PROBE_MODEL(Book)
PROBE_MODEL(Review)
PROBE_MODEL(Shelf)
PROBE_MODEL(Member)
PROBE_MODEL(Loan)
PROBE_MODEL(Event)
PROBE_MODEL(Tag)

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
