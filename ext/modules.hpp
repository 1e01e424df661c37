// The registration function of each covet virtual table and function family; covet.cpp calls
// them all.
#pragma once

#include "sqlite.hpp"

namespace covet::ext {

int register_relations_vtab(sqlite3* db);    // covet_relations
int register_related_vtab(sqlite3* db);      // related(), covet_related()
int register_related_sql_function(sqlite3* db);  // covet_related_sql()
int register_delete_function(sqlite3* db);   // covet_delete()
int register_delete_plan_vtab(sqlite3* db);  // covet_delete_plan()
int register_check_vtab(sqlite3* db);        // covet_check()
int register_info_functions(sqlite3* db);    // covet_graph(), covet_version()
int register_sync_function(sqlite3* db);     // covet_sync()

}  // namespace covet::ext
