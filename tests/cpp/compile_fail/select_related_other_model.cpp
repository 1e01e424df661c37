// select_related<...>() must start at a relation of the QuerySet's own model.
#include <covet/covet.hpp>

struct Author {
    std::int64_t id = 0;
};
BOOST_HANA_ADAPT_STRUCT(Author, id);
struct Book {
    std::int64_t id = 0;
    covet::ForeignKey<Author, {.on_delete = covet::Cascade}> author{};
};
BOOST_HANA_ADAPT_STRUCT(Book, id, author);

int main() {
    covet::Database db{":memory:"};
    return static_cast<int>(db.objects<Author>().select_related<&Book::author>().count());
}
