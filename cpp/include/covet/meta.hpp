// covet::meta<T>: per-model options, like Django's `class Meta`. Every member is optional and
// detected with requires-expressions:
//
//     template <> struct covet::meta<Author> {
//         static constexpr auto table = "authors";                 // default: snake_case(name) + "s"
//         static constexpr auto ordering = std::array{"name", "-id"};
//         static constexpr auto unique = std::array{"email"};      // single-column UNIQUE
//         static constexpr auto unique_together = std::array{std::array{"name", "website"}};
//         static constexpr auto indexes = std::array{std::array{"name"}};
//         static constexpr auto primary_key = &Author::id;         // default: the field named id
//         static constexpr auto fields = covet::fields(
//             covet::field<&Author::name>{.max_length = 100, .default_value = "anonymous"},
//             covet::field<&Author::email>{.db_column = "email_address", .unique = true, .email = true});
//         static inline const auto validators = covet::validators(
//             covet::validator<&Author::name>([](const std::string& s) { return s.empty() ? "is empty" : ""; }));
//     };
//
// Field names in ordering / unique / unique_together / indexes are C++ member names ("-name" for
// descending in ordering); when they are constant expressions they are checked at compile time.
// unique_together and indexes take either one list of names or a list of lists (or a std::tuple
// of lists of different lengths).
#pragma once

#include <covet/model_info.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace covet {

template <class T>
struct meta {};

namespace detail {
template <class P>
struct member_pointer_traits;
template <class C, class M>
struct member_pointer_traits<M C::*> {
    using class_type = C;
    using member_type = M;
};
}  // namespace detail

// A literal default value for a column: integer, real, text, NULL, bool or enum.
struct DefaultValue {
    enum class Kind { None, Null, Integer, Real, Text };
    Kind kind = Kind::None;
    std::int64_t integer = 0;
    double real = 0;
    std::string_view text{};

    constexpr DefaultValue() = default;
    constexpr DefaultValue(std::nullptr_t) : kind(Kind::Null) {}
    constexpr DefaultValue(bool value) : kind(Kind::Integer), integer(value ? 1 : 0) {}
    template <class I>
        requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) || std::is_enum_v<I>
    constexpr DefaultValue(I value) : kind(Kind::Integer), integer(static_cast<std::int64_t>(value)) {}
    constexpr DefaultValue(double value) : kind(Kind::Real), real(value) {}
    constexpr DefaultValue(const char* value) : kind(Kind::Text), text(value) {}
    constexpr DefaultValue(std::string_view value) : kind(Kind::Text), text(value) {}
};

// Options of one field, named by member pointer: covet::field<&Author::name>{.max_length = 100}.
// Designated initializers must follow the declaration order below.
template <auto Member>
struct field {
    static_assert(std::is_member_object_pointer_v<decltype(Member)>,
                  "covet::field<&Struct::member>: the argument must be a pointer to a data member");
    using class_type = typename detail::member_pointer_traits<decltype(Member)>::class_type;
    using member_type = typename detail::member_pointer_traits<decltype(Member)>::member_type;
    static constexpr auto member = Member;

    std::string_view db_column{};            // column name, default: the member name
    bool primary_key = false;                // instead of a field named id
    bool unique = false;
    bool db_index = false;                   // adds a one-column index
    std::optional<std::size_t> max_length{};  // text fields: checked before writing + CHECK constraint
    bool email = false;                      // text fields: validated as an e-mail address
    bool url = false;                        // text fields: validated as a URL
    bool auto_now_add = false;               // time point / date fields: set to now on insert
    bool auto_now = false;                   // time point / date fields: set to now on every save
    DefaultValue default_value{};            // CREATE TABLE ... DEFAULT, for rows inserted by plain SQL
                                             // (create() writes the member's value: give the struct
                                             // member the same initializer)
};

template <class... Fields>
constexpr std::tuple<Fields...> fields(Fields... f) {
    return std::tuple<Fields...>{f...};
}

// A custom validator of one field: called with the field's C++ value (or with the covet::Value),
// returns an error message, "" when the value is fine (or a bool: false means invalid).
template <auto Member, class F>
struct validator_t {
    static constexpr auto member = Member;
    using member_type = typename detail::member_pointer_traits<decltype(Member)>::member_type;
    F function;
};

template <auto Member, class F>
constexpr validator_t<Member, F> validator(F function) {
    return validator_t<Member, F>{std::move(function)};
}

template <class... V>
constexpr std::tuple<V...> validators(V... v) {
    return std::tuple<V...>{std::move(v)...};
}

// Detection of the optional members of meta<T>.
namespace detail {
template <class T> concept meta_has_table = requires { std::string_view(meta<T>::table); };
template <class T> concept meta_has_ordering = requires { meta<T>::ordering; };
template <class T> concept meta_has_unique = requires { meta<T>::unique; };
template <class T> concept meta_has_unique_together = requires { meta<T>::unique_together; };
template <class T> concept meta_has_indexes = requires { meta<T>::indexes; };
template <class T> concept meta_has_primary_key = requires { meta<T>::primary_key; };
template <class T> concept meta_has_fields = requires { meta<T>::fields; };
template <class T> concept meta_has_validators = requires { meta<T>::validators; };
}  // namespace detail

}  // namespace covet
