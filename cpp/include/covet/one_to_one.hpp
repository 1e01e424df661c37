// covet::OneToOne<T, options, Key>: Django's OneToOneField: a ForeignKey whose column is UNIQUE,
// so the reverse side is one object (covet::ReverseOne, covet::reverse<&Profile::author>(db, a)).
//
//   struct Profile {
//       std::int64_t id = 0;
//       covet::OneToOne<Author, {.on_delete = covet::Cascade, .related_name = "profile"}> author;
//   };
#pragma once

#include <covet/to_one.hpp>

namespace covet {

template <class T, RelationOptions O = RelationOptions{}, class Key = std::int64_t>
class OneToOne : public detail::ToOne<T, O, Key, RelationKind::OneToOne> {
    using Base = detail::ToOne<T, O, Key, RelationKind::OneToOne>;

public:
    using Base::Base;
    using Base::operator=;
};

}  // namespace covet
