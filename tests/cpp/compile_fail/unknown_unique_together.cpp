// meta<T>::unique_together names a field the struct does not have.
#include <covet/model.hpp>

#include <array>

struct Author {
    std::int64_t id = 0;
    std::string name;
};
BOOST_HANA_ADAPT_STRUCT(Author, id, name);
template <>
struct covet::meta<Author> {
    static constexpr auto unique_together = std::array{std::array{"name", "email"}};
};

int main() { return static_cast<int>(covet::model_info<Author>().columns.size()); }
