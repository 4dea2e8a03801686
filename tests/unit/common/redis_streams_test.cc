// The stream reply parsers on well-formed and malformed replies (hand-built RedisReply trees):
// every wrong shape is an INTERNAL status naming the command, never an out-of-range read.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/redis/streams.h"
#include "tests/support/status_matchers.h"

namespace sa::redis {
namespace {

using ::sa::testing::IsOk;
using ::sa::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

RedisReply Nil() { return RedisReply{}; }
RedisReply Int(int64_t v) { return RedisReply{.type = RedisReply::Type::kInteger, .integer = v}; }
RedisReply Str(std::string s) {
  return RedisReply{.type = RedisReply::Type::kString, .str = std::move(s)};
}
RedisReply Arr(std::vector<RedisReply> elements) {
  return RedisReply{.type = RedisReply::Type::kArray, .elements = std::move(elements)};
}
RedisReply Entry(std::string id, std::vector<std::string> fields) {
  std::vector<RedisReply> flat;
  for (std::string& f : fields) flat.push_back(Str(std::move(f)));
  return Arr({Str(std::move(id)), Arr(std::move(flat))});
}

TEST(StreamEntryTest, FieldFindsTheFirstValueByName) {
  StreamEntry entry{.id = "1-0", .fields = {{"a", "1"}, {"b", "2"}, {"a", "3"}}};
  ASSERT_NE(entry.Field("a"), nullptr);
  EXPECT_EQ(*entry.Field("a"), "1");
  EXPECT_EQ(*entry.Field("b"), "2");
  EXPECT_EQ(entry.Field("c"), nullptr);
}

TEST(ParseStreamEntriesTest, ParsesIdsAndFieldsInOrder) {
  auto entries = ParseStreamEntries(
      Arr({Entry("1-0", {"event", "bytes", "type", "t"}), Entry("2-0", {})}), "XRANGE s");
  ASSERT_THAT(entries, IsOk());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].id, "1-0");
  EXPECT_THAT((*entries)[0].fields, ElementsAre(Pair("event", "bytes"), Pair("type", "t")));
  EXPECT_EQ((*entries)[1].id, "2-0");
  EXPECT_TRUE((*entries)[1].fields.empty());
  EXPECT_FALSE((*entries)[1].deleted);
}

TEST(ParseStreamEntriesTest, EveryMalformedShapeIsAnInternalError) {
  struct Case {
    const char* name;
    RedisReply reply;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"not an array", Str("x"), "the entries are a string"},
      {"entry not an array", Arr({Int(3)}), "an entry is an integer"},
      {"entry of one element", Arr({Arr({Str("1-0")})}), "an entry has 1 elements, not 2"},
      {"entry of three elements", Arr({Arr({Str("1-0"), Arr({}), Arr({})})}), "has 3 elements"},
      {"id not a string", Arr({Arr({Int(1), Arr({})})}), "an entry id is an integer"},
      {"fields nil", Arr({Arr({Str("1-0"), Nil()})}), "the fields of entry 1-0 are nil"},
      {"fields a string", Arr({Arr({Str("1-0"), Str("f")})}), "are a string"},
      {"odd fields", Arr({Entry("1-0", {"a", "b", "c"})}), "odd number (3)"},
      {"field value an array", Arr({Arr({Str("1-0"), Arr({Str("a"), Arr({})})})}),
       "field 0 of entry 1-0 is not a string pair"},
      {"field name nil", Arr({Arr({Str("1-0"), Arr({Nil(), Str("v")})})}), "not a string pair"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseStreamEntries(c.reply, "XRANGE events").status(),
                StatusIs(absl::StatusCode::kInternal,
                         ::testing::AllOf(HasSubstr("XRANGE events"), HasSubstr(c.message))))
        << c.name;
  }
}

TEST(ParseStreamEntryTest, DeletedEntriesOnlyWhereAllowed) {
  RedisReply deleted = Arr({Str("5-0"), Nil()});
  auto allowed = ParseStreamEntry(deleted, "XREADGROUP s", /*allow_deleted=*/true);
  ASSERT_THAT(allowed, IsOk());
  EXPECT_EQ(allowed->id, "5-0");
  EXPECT_TRUE(allowed->deleted);
  EXPECT_THAT(ParseStreamEntry(deleted, "XRANGE s").status(),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(ParseStreamReadTest, NilAndEmptyMeanNothingNew) {
  EXPECT_THAT(ParseStreamRead(Nil(), "s", "XREAD s"), IsOk());
  EXPECT_TRUE(ParseStreamRead(Nil(), "s", "XREAD s")->empty());
  EXPECT_TRUE(ParseStreamRead(Arr({}), "s", "XREAD s")->empty());
}

TEST(ParseStreamReadTest, ParsesTheStreamsEntriesIncludingDeletedPendingOnes) {
  auto entries = ParseStreamRead(
      Arr({Arr({Str("s"), Arr({Entry("1-0", {"event", "e"}), Arr({Str("2-0"), Nil()})})})}), "s",
      "XREADGROUP s");
  ASSERT_THAT(entries, IsOk());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ(*(*entries)[0].Field("event"), "e");
  EXPECT_TRUE((*entries)[1].deleted);
  EXPECT_EQ((*entries)[1].id, "2-0");
}

TEST(ParseStreamReadTest, MalformedShapesAreInternalErrors) {
  const std::vector<std::pair<RedisReply, const char*>> cases = {
      {Int(1), "the reply is an integer"},
      {Arr({Arr({Str("s"), Arr({})}), Arr({Str("t"), Arr({})})}), "holds 2 streams"},
      {Arr({Str("s")}), "not a 2-element array"},
      {Arr({Arr({Str("s")})}), "not a 2-element array"},
      {Arr({Arr({Int(7), Arr({})})}), "the stream name is an integer"},
      {Arr({Arr({Str("other"), Arr({})})}), "for stream 'other', not 's'"},
      {Arr({Arr({Str("s"), Str("entries")})}), "the entries are a string"},
      {Arr({Arr({Str("s"), Arr({Arr({Str("1-0")})})})}), "an entry has 1 elements"},
  };
  for (const auto& [reply, message] : cases) {
    EXPECT_THAT(ParseStreamRead(reply, "s", "XREADGROUP s").status(),
                StatusIs(absl::StatusCode::kInternal, HasSubstr(message)))
        << message;
  }
}

TEST(ParseAutoClaimTest, ParsesCursorEntriesAndDeletedIds) {
  auto redis7 = ParseAutoClaim(
      Arr({Str("7-0"), Arr({Entry("3-0", {"event", "x"})}), Arr({Str("4-0"), Str("5-0")})}),
      "XAUTOCLAIM s");
  ASSERT_THAT(redis7, IsOk());
  EXPECT_EQ(redis7->next_cursor, "7-0");
  ASSERT_EQ(redis7->entries.size(), 1u);
  EXPECT_EQ(redis7->entries[0].id, "3-0");
  EXPECT_THAT(redis7->deleted_ids, ElementsAre("4-0", "5-0"));

  // Redis 6.2: no third element; a deleted entry may come back as nil.
  auto redis62 = ParseAutoClaim(Arr({Str("0-0"), Arr({Nil(), Entry("3-0", {})})}), "XAUTOCLAIM s");
  ASSERT_THAT(redis62, IsOk());
  EXPECT_EQ(redis62->next_cursor, "0-0");
  ASSERT_EQ(redis62->entries.size(), 1u);
  EXPECT_TRUE(redis62->deleted_ids.empty());
}

TEST(ParseAutoClaimTest, MalformedShapesAreInternalErrors) {
  const std::vector<std::pair<RedisReply, const char*>> cases = {
      {Nil(), "the reply is nil"},
      {Arr({Str("0-0")}), "1 elements, not 2 or 3"},
      {Arr({Str("0-0"), Arr({}), Arr({}), Arr({})}), "4 elements"},
      {Arr({Int(0), Arr({})}), "the next cursor is an integer"},
      {Arr({Str("0-0"), Str("x")}), "the claimed entries are a string"},
      {Arr({Str("0-0"), Arr({Int(1)})}), "an entry is an integer"},
      {Arr({Str("0-0"), Arr({}), Int(2)}), "the deleted ids are an integer"},
      {Arr({Str("0-0"), Arr({}), Arr({Arr({})})}), "a deleted id is an array"},
  };
  for (const auto& [reply, message] : cases) {
    EXPECT_THAT(ParseAutoClaim(reply, "XAUTOCLAIM s").status(),
                StatusIs(absl::StatusCode::kInternal,
                         ::testing::AllOf(HasSubstr("XAUTOCLAIM s"), HasSubstr(message))))
        << message;
  }
}

TEST(ParseStreamInfoTest, ParsesTheFieldsUsedAndIgnoresOthers) {
  auto info = ParseStreamInfo(
      Arr({Str("length"), Int(2), Str("radix-tree-keys"), Int(1), Str("last-generated-id"),
           Str("9-0"), Str("entries-added"), Int(5), Str("groups"), Int(1), Str("first-entry"),
           Entry("8-0", {"alert", "a"}), Str("last-entry"), Entry("9-0", {"alert", "b"}),
           Str("future-field"), Arr({Nil()})}),
      "XINFO STREAM s");
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->length, 2);
  EXPECT_EQ(info->last_generated_id, "9-0");
  EXPECT_EQ(info->entries_added, 5);
  EXPECT_EQ(info->groups, 1);
  ASSERT_TRUE(info->first_entry.has_value());
  EXPECT_EQ(info->first_entry->id, "8-0");
  ASSERT_TRUE(info->last_entry.has_value());
  EXPECT_EQ(*info->last_entry->Field("alert"), "b");

  auto empty = ParseStreamInfo(
      Arr({Str("length"), Int(0), Str("first-entry"), Nil(), Str("last-entry"), Nil()}),
      "XINFO STREAM s");
  ASSERT_THAT(empty, IsOk());
  EXPECT_FALSE(empty->first_entry.has_value());
  EXPECT_FALSE(empty->entries_added.has_value());  // Redis 6
}

TEST(ParseStreamInfoTest, MalformedShapesAreInternalErrors) {
  const std::vector<std::pair<RedisReply, const char*>> cases = {
      {Nil(), "not an array of name/value pairs"},
      {Arr({Str("length")}), "not an array of name/value pairs"},
      {Arr({Str("groups"), Int(0)}), "no 'length'"},
      {Arr({Int(1), Int(2)}), "a field name is an integer"},
      {Arr({Str("length"), Str("2")}), "'length' is a string, not an integer"},
      {Arr({Str("length"), Int(1), Str("entries-added"), Nil()}), "'entries-added' is nil"},
      {Arr({Str("length"), Int(1), Str("first-entry"), Arr({Str("1-0")})}), "1 elements"},
      {Arr({Str("length"), Int(1), Str("last-generated-id"), Int(3)}), "is an integer"},
  };
  for (const auto& [reply, message] : cases) {
    EXPECT_THAT(ParseStreamInfo(reply, "XINFO STREAM s").status(),
                StatusIs(absl::StatusCode::kInternal, HasSubstr(message)))
        << message;
  }
}

}  // namespace
}  // namespace sa::redis
