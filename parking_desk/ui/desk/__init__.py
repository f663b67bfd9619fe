"""The desk screens: new booking, finding bookings, scanning tickets."""
