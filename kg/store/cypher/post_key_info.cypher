// Set MIKO key information on existing Post nodes. Row: subject_id (post id), concept, action, object, emotion, keywords.
UNWIND $rows AS row
MATCH (p:Post {id: row.subject_id})
SET p.key_concept = row.concept,
    p.key_action = row.action,
    p.key_object = row.object,
    p.key_emotion = row.emotion,
    p.keywords = row.keywords
