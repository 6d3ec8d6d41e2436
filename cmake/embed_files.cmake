# Writes a C++ source that holds files' bytes, for live_embed_files() in CMakeLists.txt:
#   cmake -DOUTPUT=out.cc -DFUNCTION=name -DHEADER=http/embedded_files.h -DBASE=dir -DFILES="a;b" -P embed_files.cmake
# Each file becomes a live::http::EmbeddedFile named by its path relative to BASE.
set(body "")
set(table "")
set(index 0)
foreach(file IN LISTS FILES)
  file(READ "${file}" hex HEX)
  file(SIZE "${file}" size)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n    " bytes "${bytes}")
  file(RELATIVE_PATH name "${BASE}" "${file}")
  string(APPEND body "const unsigned char k${index}[] = {\n    ${bytes}0x00};\n")
  string(APPEND table "      {\"${name}\", std::string_view(reinterpret_cast<const char*>(k${index}), ${size})},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated at build time by cmake/embed_files.cmake; do not edit.
#include \"${HEADER}\"

namespace live::http {
namespace {
${body}}  // namespace

std::span<const EmbeddedFile> ${FUNCTION}() {
  static const EmbeddedFile files[] = {
${table}  };
  return files;
}

}  // namespace live::http
")
# Only a changed source is rewritten, so an unchanged one does not rebuild its dependents.
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
