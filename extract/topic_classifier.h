// Topics of an article: cue phrases of the taxonomy (data/gazetteer/topics.tsv) counted in the
// title (2 hits each) and body (1 hit); score = 1 - 0.5^hits.
#pragma once

#include "extract/article_text.h"
#include "extract/gazetteer.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::extract {

// Adds the kMaxTopics most-mentioned topics (ties in taxonomy order), each with the evidence of
// its first cue, and the matched cue phrases as keywords (at most 20).
void AddTopicsAndKeywords(const Gazetteer& gazetteer, const ArticleText& text,
                          summit_alerts::v1::Event& event);

}  // namespace sa::extract
