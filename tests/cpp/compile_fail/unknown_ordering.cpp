// meta<T>::ordering names a field the struct does not have (a typo).
#include <covet/model.hpp>

#include <array>

struct Author {
    std::int64_t id = 0;
    std::string name;
};
BOOST_HANA_ADAPT_STRUCT(Author, id, name);
template <>
struct covet::meta<Author> {
    static constexpr auto ordering = std::array{"-nmae"};
};

int main() { return static_cast<int>(covet::model_info<Author>().columns.size()); }
