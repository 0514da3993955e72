// The intention into which the build merged the phrase $text (one of its aliases).
MATCH (i:Intention)
WHERE $text IN i.aliases
RETURN i.id AS id, i.text AS text, coalesce(i.support, 1) AS support
ORDER BY i.id
LIMIT 1
