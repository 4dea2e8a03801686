// A fixture whose test suite shares one private redis-server (tests keep apart by using
// UniquePrefix() for their keys).
#pragma once

#include <gtest/gtest.h>

#include "tests/support/redis_server.h"

namespace sa::testing {

class SharedRedisTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    redis_ = server->release();
  }
  static void TearDownTestSuite() {
    delete redis_;
    redis_ = nullptr;
  }
  static RedisServer& redis() { return *redis_; }
  static redis::RedisClient& client() { return redis_->client(); }

 private:
  static inline RedisServer* redis_ = nullptr;
};

}  // namespace sa::testing
