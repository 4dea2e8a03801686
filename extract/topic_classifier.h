// Topics of an article on the IPTC Media Topics taxonomy (data/gazetteer/topics.tsv): cue
// phrases counted in the title (2 hits each) and the body (1 hit each).
#pragma once

#include "extract/article_text.h"
#include "extract/gazetteer.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::extract {

// A topic needs at least this many hits (one cue in the title, or two in the body), so a
// passing mention does not make a topic; in a body shorter than kShortBodyWords words (a feed
// entry's summary) one hit is enough.
inline constexpr double kMinTopicHits = 2;
inline constexpr size_t kShortBodyWords = 100;
// A topic also needs at least this share of the hits of the article's strongest topic, so a
// side mention beside the main subject is no topic (chosen on the tune split: 0.25..0.5 score
// alike; below, side mentions come back).
inline constexpr double kMinShareOfBestTopic = 0.35;

// Adds the article's topics: each topic with enough hits, score = 1 - 0.5^hits, the evidence of
// its first cue, its IPTC id and parent; then every ancestor of those (score = the highest of
// its own and its descendants', evidence of that one), so `topic:politics` matches a sanctions
// story. Ordered by score (ties in taxonomy order), at most kMaxTopics. Also adds the matched
// cue phrases as keywords (at most 20; a stemmed cue as the article writes it).
void AddTopicsAndKeywords(const Gazetteer& gazetteer, const ArticleText& text,
                          summit_alerts::v1::Event& event);

}  // namespace sa::extract
