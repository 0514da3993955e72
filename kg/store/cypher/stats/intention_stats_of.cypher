// The IntentionStat rows of the intentions $ids (to compare with their new values).
MATCH (s:IntentionStat)
WHERE s.intention_id IN $ids
RETURN properties(s) AS p
