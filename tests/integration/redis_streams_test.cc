// The typed stream commands and the Redis error codes against a real redis-server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "common/ids.h"
#include "common/redis/streams.h"
#include "tests/support/shared_redis_test.h"
#include "tests/support/status_matchers.h"

namespace sa::redis {
namespace {

using ::sa::testing::IsOk;
using ::sa::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

class RedisStreamsTest : public sa::testing::SharedRedisTest {
 protected:
  void SetUp() override {
    prefix_ = sa::testing::UniquePrefix();
    stream_ = prefix_ + "events";
  }

  std::vector<std::string> AddEntries(int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      auto id = XAdd(client(), stream_, {{"n", std::to_string(i)}});
      EXPECT_THAT(id, IsOk());
      ids.push_back(id.value_or(""));
    }
    return ids;
  }

  std::string prefix_, stream_;
};

TEST_F(RedisStreamsTest, AddRangeAndReverseRangeRoundTrip) {
  auto first = XAdd(client(), stream_, {{"event", std::string("a\0b", 3)}, {"type", "t"}});
  ASSERT_THAT(first, IsOk());
  auto second = XAdd(client(), stream_, {{"event", "c"}});
  ASSERT_THAT(second, IsOk());

  auto range = XRange(client(), stream_, "-", "+");
  ASSERT_THAT(range, IsOk());
  ASSERT_EQ(range->size(), 2u);
  EXPECT_EQ((*range)[0].id, *first);
  EXPECT_THAT((*range)[0].fields,
              ElementsAre(Pair("event", std::string("a\0b", 3)), Pair("type", "t")));
  EXPECT_EQ((*range)[1].id, *second);

  auto newest = XRevRange(client(), stream_, "+", "-", 1);
  ASSERT_THAT(newest, IsOk());
  ASSERT_EQ(newest->size(), 1u);
  EXPECT_EQ(newest->front().id, *second);
  EXPECT_EQ(*newest->front().Field("event"), "c");

  auto none = XRange(client(), prefix_ + "missing", "-", "+");
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->empty());
}

TEST_F(RedisStreamsTest, XReadReturnsEntriesAfterTheIdAndNothingWhenTheBlockEnds) {
  std::vector<std::string> ids = AddEntries(3);
  auto after = XRead(client(), stream_, ids[0], 10);
  ASSERT_THAT(after, IsOk());
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].id, ids[1]);
  auto nothing = XRead(client(), stream_, ids[2], 10, absl::Milliseconds(10));
  ASSERT_THAT(nothing, IsOk());  // nil reply after the block time
  EXPECT_TRUE(nothing->empty());
}

TEST_F(RedisStreamsTest, MissingGroupIsNotFoundWithItsCode) {
  AddEntries(1);
  auto read = XReadGroup(client(), {.stream = stream_, .group = "nobody", .consumer = "c"});
  EXPECT_THAT(read.status(), StatusIs(absl::StatusCode::kNotFound, HasSubstr("NOGROUP")));
  EXPECT_EQ(RedisErrorCode(read.status()), "NOGROUP");
  // The whole stream missing reads the same.
  auto no_stream =
      XReadGroup(client(), {.stream = prefix_ + "none", .group = "g", .consumer = "c"});
  EXPECT_THAT(no_stream.status(), StatusIs(absl::StatusCode::kNotFound));
  auto claim = XAutoClaim(client(), stream_, "nobody", "c", absl::ZeroDuration(), "0-0", 10);
  EXPECT_THAT(claim.status(), StatusIs(absl::StatusCode::kNotFound, HasSubstr("NOGROUP")));
}

TEST_F(RedisStreamsTest, CreatingAnExistingGroupIsAlreadyExists) {
  ASSERT_THAT(XGroupCreate(client(), stream_, "g", "0", /*mkstream=*/true), IsOk());
  absl::Status again = XGroupCreate(client(), stream_, "g", "0", /*mkstream=*/true);
  EXPECT_THAT(again, StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("BUSYGROUP")));
  EXPECT_EQ(RedisErrorCode(again), "BUSYGROUP");
}

TEST_F(RedisStreamsTest, OtherErrorsKeepTheirCodes) {
  ASSERT_THAT(client().Command({"SET", stream_, "not a stream"}), IsOk());
  auto wrong_type = XRange(client(), stream_, "-", "+");
  EXPECT_THAT(wrong_type.status(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(RedisErrorCode(wrong_type.status()), "WRONGTYPE");

  auto missing = XInfoStream(client(), prefix_ + "missing");
  EXPECT_THAT(missing.status(), StatusIs(absl::StatusCode::kNotFound, HasSubstr("no such key")));
  EXPECT_EQ(RedisErrorCode(missing.status()), "ERR");

  // A server still loading its data answers -LOADING: transient, so UNAVAILABLE. A script
  // answers with that error here, as a real restart cannot be timed.
  auto loading = client().Command(
      {"EVAL", "return redis.error_reply('LOADING Redis is loading the dataset in memory')", "0"});
  EXPECT_THAT(loading.status(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("LOADING")));
  EXPECT_EQ(RedisErrorCode(loading.status()), "LOADING");

  auto other = client().Command({"XADD", stream_ + "x", "not-an-id", "f", "v"});
  EXPECT_THAT(other.status(), StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(RedisErrorCode(other.status()), "ERR");
  EXPECT_EQ(RedisErrorCode(absl::UnavailableError("connection refused")), "");
}

TEST_F(RedisStreamsTest, ReadGroupReportsPendingEntriesDeletedFromTheStream) {
  std::vector<std::string> ids = AddEntries(2);
  ASSERT_THAT(XGroupCreate(client(), stream_, "g", "0", /*mkstream=*/false), IsOk());
  auto fresh =
      XReadGroup(client(), {.stream = stream_, .group = "g", .consumer = "c", .count = 10});
  ASSERT_THAT(fresh, IsOk());
  ASSERT_EQ(fresh->size(), 2u);
  ASSERT_THAT(client().Command({"XDEL", stream_, ids[0]}), IsOk());

  auto pending = XReadGroup(
      client(), {.stream = stream_, .group = "g", .consumer = "c", .from = "0", .count = 10});
  ASSERT_THAT(pending, IsOk());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].id, ids[0]);
  EXPECT_TRUE((*pending)[0].deleted);
  EXPECT_EQ(*(*pending)[1].Field("n"), "1");

  auto acked = XAck(client(), stream_, "g", {ids[0], ids[1], ids[1]});
  ASSERT_THAT(acked, IsOk());
  EXPECT_EQ(*acked, 2);
  auto after = XReadGroup(
      client(), {.stream = stream_, .group = "g", .consumer = "c", .from = "0", .count = 10});
  ASSERT_THAT(after, IsOk());
  EXPECT_TRUE(after->empty());
}

TEST_F(RedisStreamsTest, AutoClaimPagesThroughThePendingListAndReportsDeletedEntries) {
  std::vector<std::string> ids = AddEntries(5);
  ASSERT_THAT(XGroupCreate(client(), stream_, "g", "0", /*mkstream=*/false), IsOk());
  ASSERT_THAT(
      XReadGroup(client(), {.stream = stream_, .group = "g", .consumer = "dead", .count = 10}),
      IsOk());
  ASSERT_THAT(client().Command({"XDEL", stream_, ids[3]}), IsOk());

  std::vector<std::string> claimed, deleted;
  std::string cursor = "0-0";
  int pages = 0;
  do {
    auto page = XAutoClaim(client(), stream_, "g", "alive", absl::ZeroDuration(), cursor, 2);
    ASSERT_THAT(page, IsOk());
    for (const StreamEntry& entry : page->entries) claimed.push_back(entry.id);
    deleted.insert(deleted.end(), page->deleted_ids.begin(), page->deleted_ids.end());
    cursor = page->next_cursor;
    ASSERT_LT(++pages, 10) << "the cursor must come back to 0-0";
  } while (cursor != "0-0");
  EXPECT_GE(pages, 2);
  EXPECT_THAT(claimed, ElementsAre(ids[0], ids[1], ids[2], ids[4]));
  EXPECT_THAT(deleted, ElementsAre(ids[3]));
}

TEST_F(RedisStreamsTest, StreamInfoReadsLengthAndEnds) {
  std::vector<std::string> ids = AddEntries(3);
  auto info = XInfoStream(client(), stream_);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->length, 3);
  EXPECT_EQ(info->last_generated_id, ids[2]);
  EXPECT_EQ(info->entries_added, 3);  // Redis 7
  ASSERT_TRUE(info->first_entry.has_value());
  EXPECT_EQ(info->first_entry->id, ids[0]);
  ASSERT_TRUE(info->last_entry.has_value());
  EXPECT_EQ(*info->last_entry->Field("n"), "2");
}

TEST_F(RedisStreamsTest, OddShapesFromTheServerAreInternalErrors) {
  // A script answers shapes no stream command would; the parsers refuse them with a reason.
  auto reply = client().Command({"EVAL", "return {{'1-0', {'a', 'b', 'c'}}, {'2-0'}}", "0"});
  ASSERT_THAT(reply, IsOk());
  EXPECT_THAT(ParseStreamEntries(*reply, "XRANGE odd").status(),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("odd number (3)")));
  auto nested = client().Command({"EVAL", "return {{'s', {{'1-0', {1, 2}}}}}", "0"});
  ASSERT_THAT(nested, IsOk());
  EXPECT_THAT(ParseStreamRead(*nested, "s", "XREAD s").status(),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("not a string pair")));
}

TEST_F(RedisStreamsTest, ScriptIsSentAgainAfterTheServerForgetsIt) {
  const std::string source = "return redis.call('INCR', KEYS[1])";
  RedisScript script(source);
  const std::string key = prefix_ + "counter";
  auto first = script.Run(client(), {key}, {});
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->integer, 1);

  // A bare EVALSHA of a script the server does not know is NOT_FOUND with code NOSCRIPT.
  ASSERT_THAT(client().Command({"SCRIPT", "FLUSH"}), IsOk());
  auto unknown = client().Command({"EVALSHA", Sha1Hex(source), "1", key});
  EXPECT_THAT(unknown.status(), StatusIs(absl::StatusCode::kNotFound, HasSubstr("NOSCRIPT")));
  EXPECT_EQ(RedisErrorCode(unknown.status()), "NOSCRIPT");

  // The script runner sends the source again, and the server caches it once more.
  auto after_flush = script.Run(client(), {key}, {});
  ASSERT_THAT(after_flush, IsOk());
  EXPECT_EQ(after_flush->integer, 2);
  auto exists = client().Command({"SCRIPT", "EXISTS", Sha1Hex(source)});
  ASSERT_THAT(exists, IsOk());
  ASSERT_EQ(exists->elements.size(), 1u);
  EXPECT_EQ(exists->elements[0].integer, 1);
}

}  // namespace
}  // namespace sa::redis
