// The IntentionStat rows of the intentions $ids (to compare with their new values).
UNWIND $ids AS id
MATCH (s:IntentionStat {intention_id: id})
RETURN properties(s) AS p
