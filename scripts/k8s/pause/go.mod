module github.com/redis-stack/pause

go 1.24.0
