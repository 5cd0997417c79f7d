# Sourced by bench/run.sh and bench/pages.sh: no file is created for a
# measurement in the minutes after thousands were deleted nearby. On ext4
# that costs up to ten times more kernel time (the inode allocator skips
# recently freed inodes one by one: `recently_deleted` in a profile), and
# ext4 counts an inode as recently deleted for up to 305 seconds (5, plus
# 300 while its inode table block is dirty). A script that deletes notes
# the time in BENCH/.deleted; one that measures waits out the rest first.

# Wait until 305 s have passed since the last deletion noted in $1.
wait_out_deletions() {
    [ -f "$1/.deleted" ] || return 0
    local wait_s=$((305 - ($(date +%s) - $(cat "$1/.deleted"))))
    if [ "$wait_s" -gt 0 ]; then
        echo "waiting ${wait_s} s: files were deleted less than 5 minutes ago" >&2
        sleep "$wait_s"
    fi
}

# Note in $1 that files were deleted now.
note_deletion() {
    date +%s >"$1/.deleted"
}
