"""What a chapter notebook publishes: findings (Recorder), figures and tables, written under results/<notebook>/."""
