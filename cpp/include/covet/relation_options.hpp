// The options of a relation field, given as the field's second template argument (a structural
// value, so designated initializers work in the template argument list):
//
//   covet::ForeignKey<Author, {.on_delete = covet::Cascade, .related_name = "books"}> author;
//   covet::ForeignKey<Category, {.on_delete = covet::SetNull, .null = true, .related_name = "children"}> parent;
//   covet::ForeignKey<Author, {.on_delete = covet::SetDefault, .default_key = 1}> author;
//   covet::OneToOne<Author, {.on_delete = covet::Cascade, .related_name = "profile"}> author;
//   covet::ManyToMany<Category, {.related_name = "books"}> categories;
//
// Designated initializers follow the declaration order below. Names are at most 63 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace covet {

// Django's six on_delete behaviours, enforced by the covet extension's triggers.
enum class OnDelete { Unset, Cascade, Protect, Restrict, SetNull, SetDefault, DoNothing };
inline constexpr OnDelete Cascade = OnDelete::Cascade;
inline constexpr OnDelete Protect = OnDelete::Protect;
inline constexpr OnDelete Restrict = OnDelete::Restrict;
inline constexpr OnDelete SetNull = OnDelete::SetNull;
inline constexpr OnDelete SetDefault = OnDelete::SetDefault;
inline constexpr OnDelete DoNothing = OnDelete::DoNothing;

// "CASCADE", "SET_NULL", ... as covet_relations spells them.
std::string_view on_delete_name(OnDelete on_delete);

// A name usable inside a template argument: a string literal copied into a fixed array.
struct Name {
    static constexpr std::size_t capacity = 64;
    char text[capacity]{};

    constexpr Name() = default;
    template <std::size_t N>
    constexpr Name(const char (&literal)[N]) {  // NOLINT: implicit, so that .related_name = "x" reads
        static_assert(N <= capacity, "covet: relation option names are at most 63 bytes");
        for (std::size_t i = 0; i < N; ++i) {
            text[i] = literal[i];
        }
    }
    constexpr std::string_view view() const {
        std::size_t n = 0;
        while (n < capacity && text[n] != '\0') {
            ++n;
        }
        return {text, n};
    }
    constexpr bool empty() const { return text[0] == '\0'; }
};

// The key SET_DEFAULT writes: an integer (.default_key = 1) or a text key (.default_key = "none").
struct DefaultKey {
    enum class Kind { None, Integer, Text };
    Kind kind = Kind::None;
    std::int64_t integer = 0;
    Name text{};

    constexpr DefaultKey() = default;
    template <class I>
        requires std::is_integral_v<I>
    constexpr DefaultKey(I value) : kind(Kind::Integer), integer(static_cast<std::int64_t>(value)) {}  // NOLINT
    template <std::size_t N>
    constexpr DefaultKey(const char (&literal)[N]) : kind(Kind::Text), text(literal) {}  // NOLINT
};

// ForeignKey and OneToOne.
struct RelationOptions {
    OnDelete on_delete = OnDelete::Unset;  // required, as in Django
    bool null = false;                     // the key may be NULL (stored as std::optional<Key>)
    Name related_name{};                   // the reverse side's name; "+" for none. Default:
                                           // "<model>_set" (ForeignKey), "<model>" (OneToOne)
    Name to_field{};                       // the target's field the key holds; default: its primary key
    Name db_column{};                      // default: "<field>_id"
    DefaultKey default_key{};              // what SET_DEFAULT writes (also the column's DEFAULT)
};

// Three states, because Django's default for `symmetrical` depends on the target.
enum class Symmetry { Default, Symmetrical, Asymmetrical };

struct ManyToManyOptions {
    Name related_name{};  // default "<model>_set"; "+" for none
    Name db_table{};      // the automatic junction table; default "<table>_<field>" (books_categories)
    // Self relations are symmetrical by default, as in Django: adding b to a's friends adds a to
    // b's, and there is no reverse side.
    Symmetry symmetrical = Symmetry::Default;
};

}  // namespace covet
