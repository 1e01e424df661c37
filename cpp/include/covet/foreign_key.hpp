// covet::ForeignKey<T, options, Key>: Django's ForeignKey (many-to-one). A column "<field>_id"
// holding T's key, registered in covet_relations by migrate(), so that on_delete is enforced by
// the database for every client. See to_one.hpp for the accessors and relation_options.hpp for
// the options.
//
//   struct Book {
//       std::int64_t id = 0;
//       covet::ForeignKey<Author, {.on_delete = covet::Cascade, .related_name = "books"}> author;
//   };
//
// T may be declared later (struct Author; above Book) or be the struct itself (trees). Key is
// the C++ type of T's key (std::int64_t by default; std::string for a text to_field, ...).
#pragma once

#include <covet/to_one.hpp>

namespace covet {

template <class T, RelationOptions O = RelationOptions{}, class Key = std::int64_t>
class ForeignKey : public detail::ToOne<T, O, Key, RelationKind::ForeignKey> {
    using Base = detail::ToOne<T, O, Key, RelationKind::ForeignKey>;

public:
    using Base::Base;
    using Base::operator=;
};

}  // namespace covet
