#include "extract/gettext_catalog.h"

#include <cstdint>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"

namespace sa::extract {
namespace {

constexpr uint32_t kMagic = 0x950412de;
constexpr uint32_t kMagicSwapped = 0xde120495;

uint32_t Swap(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

class Reader {
 public:
  Reader(absl::string_view data, bool swapped) : data_(data), swapped_(swapped) {}

  // The 32-bit word at byte `offset`; false when it is outside the data.
  bool Word(uint64_t offset, uint32_t& out) const {
    if (offset > data_.size() || data_.size() - offset < 4) return false;
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(data_[offset])) |
                 static_cast<uint32_t>(static_cast<unsigned char>(data_[offset + 1])) << 8 |
                 static_cast<uint32_t>(static_cast<unsigned char>(data_[offset + 2])) << 16 |
                 static_cast<uint32_t>(static_cast<unsigned char>(data_[offset + 3])) << 24;
    out = swapped_ ? Swap(v) : v;
    return true;
  }

  // The string of `length` bytes at `offset`, which must be followed by a NUL byte.
  bool String(uint32_t length, uint32_t offset, absl::string_view& out) const {
    uint64_t end = uint64_t{offset} + length;
    if (end >= data_.size() || data_[end] != '\0') return false;
    out = data_.substr(offset, length);
    return true;
  }

 private:
  absl::string_view data_;
  bool swapped_;
};

}  // namespace

absl::StatusOr<std::vector<GettextMessage>> ParseGettextCatalog(absl::string_view data,
                                                                absl::string_view name) {
  auto bad = [&](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": not a valid .mo file: ", what));
  };
  if (data.size() < 20) return bad("shorter than its header");
  uint32_t magic = 0;
  Reader(data, false).Word(0, magic);
  if (magic != kMagic && magic != kMagicSwapped) return bad("bad magic number");
  Reader r(data, magic == kMagicSwapped);
  uint32_t revision = 0, count = 0, ids_at = 0, strs_at = 0;
  r.Word(4, revision);
  r.Word(8, count);
  r.Word(12, ids_at);
  r.Word(16, strs_at);
  if ((revision >> 16) > 1) return bad(absl::StrCat("unknown major revision ", revision >> 16));
  // Each message needs two 8-byte table entries: a count beyond the file is a lie.
  if (uint64_t{count} * 8 > data.size()) return bad("message count larger than the file");
  std::vector<GettextMessage> messages;
  messages.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t id_len = 0, id_off = 0, str_len = 0, str_off = 0;
    if (!r.Word(uint64_t{ids_at} + 8ull * i, id_len) ||
        !r.Word(uint64_t{ids_at} + 8ull * i + 4, id_off) ||
        !r.Word(uint64_t{strs_at} + 8ull * i, str_len) ||
        !r.Word(uint64_t{strs_at} + 8ull * i + 4, str_off)) {
      return bad(absl::StrCat("string table entry ", i, " is outside the file"));
    }
    absl::string_view id, str;
    if (!r.String(id_len, id_off, id) || !r.String(str_len, str_off, str)) {
      return bad(absl::StrCat("string ", i, " is outside the file or not NUL-terminated"));
    }
    // The header (empty msgid), plural entries (msgid "one\0many") and untranslated messages
    // carry no name.
    if (id.empty() || str.empty() || id.find('\0') != absl::string_view::npos) continue;
    if (size_t nul = str.find('\0'); nul != absl::string_view::npos) str = str.substr(0, nul);
    messages.push_back({std::string(id), std::string(str)});
  }
  return messages;
}

absl::StatusOr<std::vector<GettextMessage>> ReadGettextCatalog(const std::string& path,
                                                               size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  if (static_cast<uint64_t>(size) > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is ", size, " bytes, more than the limit of ", max_bytes));
  }
  in.seekg(0);
  std::string data(static_cast<size_t>(size), '\0');
  if (!in.read(data.data(), size)) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  }
  return ParseGettextCatalog(data, path);
}

}  // namespace sa::extract
