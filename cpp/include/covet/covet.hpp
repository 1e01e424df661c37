// covet: Django-style models and relations for SQLite in C++20. The one header to include.
//
//   #include <covet/covet.hpp>
//   covet::Database db{"library.db"};
//   db.migrate<Author, Book>();
//   auto ann = db.create(Author{.name = "Ann", .email = "ann@example.com"});
//   for (const Author& a : db.objects<Author>().filter(covet::f<&Author::name>.startswith("A")))
//       ...
//
// See docs/cpp.md, and docs/relations.md for ForeignKey, OneToOne, ManyToMany and their reverse sides.
#pragma once

#include <covet/crud.hpp>
#include <covet/database.hpp>
#include <covet/error.hpp>
#include <covet/foreign_key.hpp>
#include <covet/many_to_many.hpp>
#include <covet/meta.hpp>
#include <covet/model.hpp>
#include <covet/one_to_one.hpp>
#include <covet/prefetched.hpp>
#include <covet/query.hpp>
#include <covet/queryset.hpp>
#include <covet/related_manager.hpp>
#include <covet/reverse.hpp>
#include <covet/reverse_many.hpp>
#include <covet/reverse_one.hpp>
#include <covet/schema.hpp>
#include <covet/transaction.hpp>
