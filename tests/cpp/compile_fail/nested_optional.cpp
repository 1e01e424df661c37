// std::optional<std::optional<T>> has no meaning as a column.
#include <covet/model.hpp>

#include <optional>

struct Doubly {
    std::int64_t id = 0;
    std::optional<std::optional<int>> maybe;
};
BOOST_HANA_ADAPT_STRUCT(Doubly, id, maybe);

int main() { return static_cast<int>(covet::to_values(Doubly{}).size()); }
